// Reads a (JSON) request body with a size cap. Bad JSON is a 400, an oversized
// body a 413: answered on the declared Content-Length before a byte is read,
// else as soon as the count passes the cap, and the connection is then closed
// so that the client cannot go on streaming into the server. The cap is the
// route's, lowered by the caller's (request-limits.ts: 64 KiB without a token).
import type { Context } from 'koa';
import { HttpError } from './errors.ts';
import { INLINE_JSON_BYTES, type JsonJob, startJsonJob } from './json-worker.ts';

export const MAX_JSON_BODY = 32 * 1024 * 1024;

/** The caller's cap, set by request-limits.ts; a route's own cap may be lower. */
export function setCallerBodyLimit(ctx: Context, bytes: number): void {
  ctx.state.bodyLimit = bytes;
}

function effectiveLimit(ctx: Context, routeLimit: number): number {
  const caller = ctx.state.bodyLimit as number | undefined;
  return caller === undefined ? routeLimit : Math.min(routeLimit, caller);
}

/** How long a connection closed after an answer may go on sending before it is cut off. */
const LINGER_MS = 2_000;

/**
 * Closes the connection once the answer is out, without reading the rest of
 * the request body (Node would otherwise read and discard all of it to keep the
 * connection). Not at once: closing with unread input makes the kernel reset
 * the connection, and a client still sending may then lose the answer. So our
 * side ends and input is discarded for LINGER_MS (Apache's lingering close).
 */
export function closeAfterAnswer(ctx: Context): void {
  ctx.set('Connection', 'close');
  const socket = ctx.req.socket;
  // Node's server calls destroySoon() after an answer with "Connection: close".
  socket.destroySoon = () => {
    socket.end();
    socket.pause();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

export function payloadTooLarge(ctx: Context, limit: number): HttpError {
  closeAfterAnswer(ctx);
  return new HttpError(413, 'Payload Too Large', `request bodies are limited to ${limit} bytes`);
}

/**
 * Feeds the body to `onChunk`, at most `limit` bytes. When `onChunk` returns a
 * promise, reading pauses until it settles.
 */
function readBody(ctx: Context, limit: number, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limit) return Promise.reject(payloadTooLarge(ctx, limit));
  const req = ctx.req;
  // server/api/service.ts holds back "100 Continue" until a route actually reads.
  if (/100-continue/i.test(ctx.get('expect')) && !ctx.state.continued) {
    ctx.state.continued = true;
    ctx.res.writeContinue();
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) {
        req.pause();
        reject(err);
      } else resolve();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(payloadTooLarge(ctx, limit));
      try {
        const pending = onChunk(chunk);
        if (pending) {
          req.pause();
          pending.then(() => settled || req.resume(), (err: Error) => finish(err));
        }
      } catch (err) {
        finish(err as Error);
      }
    };
    const onEnd = () => finish();
    const onError = () => finish(new HttpError(400, 'Bad Request', 'the request body could not be read'));
    const onClose = () => finish(new HttpError(400, 'Bad Request', 'the request body ended early'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/** The request body as UTF-8 text, at most `limit` bytes (413 beyond). */
export async function readText(ctx: Context, limit = MAX_JSON_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  await readBody(ctx, effectiveLimit(ctx, limit), (chunk) => {
    chunks.push(chunk);
  });
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'Bad Request', 'request body is not valid JSON');
  }
}

/**
 * The body parsed as JSON, at most `limit` bytes. Up to INLINE_JSON_BYTES it is
 * parsed here; a larger body goes to the JSON worker as it arrives, so the event
 * loop never spends more than a few milliseconds on one body. An empty body is
 * a 400, or undefined with `allowEmpty`.
 */
export async function readJson(ctx: Context, limit = MAX_JSON_BODY, options: { allowEmpty?: boolean } = {}): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  let job: JsonJob | null = null;
  try {
    await readBody(ctx, effectiveLimit(ctx, limit), (chunk) => {
      if (job) return job.push(chunk);
      chunks.push(chunk);
      size += chunk.length;
      if (size <= INLINE_JSON_BYTES) return;
      return startJsonJob().then((started) => {
        job = started;
        for (const c of chunks.splice(0)) started.push(c);
      });
    });
  } catch (err) {
    (job as JsonJob | null)?.cancel();
    throw err;
  }
  if (job) return (job as JsonJob).finish();
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    if (options.allowEmpty) return undefined;
    throw new HttpError(400, 'Bad Request', 'request body is empty');
  }
  return parseJson(text);
}
