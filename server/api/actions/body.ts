// An action's request body. Daptin's examples send JSON with any Content-Type
// (curl -d defaults to form encoding) and sometimes no body at all, so the
// body is read as JSON whatever the header says, and empty means {}.
import type { Context } from 'koa';
import { z } from 'zod';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';

const MAX_ACTION_BODY = 1024 * 1024;

const ActionBody = z.looseObject({ attributes: z.record(z.string(), z.unknown()).optional() });

export async function readActionBody(ctx: Context): Promise<{ attributes: Record<string, unknown>; top: Record<string, unknown> }> {
  const value = await readJson(ctx, MAX_ACTION_BODY, { allowEmpty: true });
  if (value === undefined) return { attributes: {}, top: {} };
  const body = ActionBody.safeParse(value);
  if (!body.success) throw new HttpError(400, 'Bad Request', 'expected {"attributes":{…}}');
  return { attributes: body.data.attributes ?? {}, top: body.data };
}
