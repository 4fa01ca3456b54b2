// An action's request body. Daptin's examples send JSON with any Content-Type
// (curl -d defaults to form encoding) and sometimes no body at all, so the
// body is read as JSON whatever the header says, and empty means {}.
import type { Context } from 'koa';
import { z } from 'zod';
import { HttpError } from '../errors.ts';

const MAX_ACTION_BODY = 1024 * 1024;

const ActionBody = z.looseObject({ attributes: z.record(z.string(), z.unknown()).optional() });

export async function readActionBody(ctx: Context): Promise<{ attributes: Record<string, unknown>; top: Record<string, unknown> }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ACTION_BODY) throw new HttpError(413, 'Payload Too Large', `action bodies are limited to ${MAX_ACTION_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { attributes: {}, top: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Bad Request', 'request body is not valid JSON');
  }
  const body = ActionBody.safeParse(parsed);
  if (!body.success) throw new HttpError(400, 'Bad Request', 'expected {"attributes":{…}}');
  return { attributes: body.data.attributes ?? {}, top: body.data };
}
