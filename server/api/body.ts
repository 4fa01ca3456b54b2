// Reads a (JSON) request body with a size cap. Bad JSON is a 400, an oversized body a 413.
import type { Context } from 'koa';
import { HttpError } from './errors.ts';

export const MAX_JSON_BODY = 32 * 1024 * 1024;

/** The request body as UTF-8 text, at most `limit` bytes (413 beyond). */
export async function readText(ctx: Context, limit = MAX_JSON_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'Payload Too Large', `request bodies are limited to ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'Bad Request', 'request body is not valid JSON');
  }
}

export async function readJson(ctx: Context, limit = MAX_JSON_BODY): Promise<unknown> {
  const text = await readText(ctx, limit);
  if (text.trim() === '') throw new HttpError(400, 'Bad Request', 'request body is empty');
  return parseJson(text);
}
