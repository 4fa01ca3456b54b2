// Deadlines for everything a test waits on (sockets, events, child processes,
// HTTP): silence fails the test with what was seen so far, it never hangs it.
// The default is generous for a loaded 2-core machine; HERON_TEST_WAIT_MS
// raises it for a slower one.

/** How long a test waits in silence before failing. */
export const WAIT_MS = Number(process.env.HERON_TEST_WAIT_MS) || 15_000;

/** For work that is slow by nature (an HTTP call that runs ACME, a child process start). */
export const SLOW_WAIT_MS = WAIT_MS * 6;

export class DeadlineError extends Error {}

/** Settles as `promise` does, or rejects after `ms` naming `what` (a function is called then, so it can show the latest state). */
export function within<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no ${typeof what === 'string' ? what : what()} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Resolves once `emitter` emits `event` (with its first argument), or fails after `ms`. */
export function nextEvent<T = unknown>(
  emitter: { once(event: string, listener: (value: T) => void): unknown; removeListener(event: string, listener: (value: T) => void): unknown },
  event: string,
  what: string,
  ms = WAIT_MS,
): Promise<T> {
  let listener: ((value: T) => void) | undefined;
  const seen = new Promise<T>((resolve) => {
    listener = resolve;
    emitter.once(event, resolve);
  });
  return within(seen, ms, what).finally(() => emitter.removeListener(event, listener!));
}

/** Polls `check` until it returns a value (not undefined/false); fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string | (() => string),
  ms = WAIT_MS * 2,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new DeadlineError(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The end of a long text, for error messages about what was received. */
export function tail(text: string, max = 2000): string {
  return JSON.stringify(text.length > max ? '…' + text.slice(-max) : text);
}

/** ImapFlow options: a silent server fails the pending command (the connection closes) instead of hanging it. */
export const IMAP_CLIENT_DEADLINES = { connectionTimeout: WAIT_MS, greetingTimeout: WAIT_MS, socketTimeout: WAIT_MS } as const;

/** nodemailer transport options: a silent server fails sendMail() instead of hanging it. */
export const SMTP_CLIENT_DEADLINES = { connectionTimeout: WAIT_MS, greetingTimeout: WAIT_MS, socketTimeout: WAIT_MS } as const;

/** pg.Client options: a PostgreSQL server that does not answer fails the connect or query instead of hanging it. */
export const PG_CLIENT_DEADLINES = { connectionTimeoutMillis: WAIT_MS, query_timeout: WAIT_MS } as const;

/**
 * fetch() with a deadline for the whole exchange, body included (30 s by
 * default); a network failure names its cause (fetch's own
 * message is only "fetch failed"). Every request has its own connection: the
 * server under test shares this process, so synchronous work in a test (a key
 * generation) can hold the event loop past the server's keep-alive timeout,
 * and a pooled connection reused at that moment is reset by the server
 * ("fetch failed", ECONNRESET) before it reads the request.
 */
export async function fetchWithDeadline(url: string, init: RequestInit = {}, ms = WAIT_MS * 3): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('connection', 'close');
  const method = (init.method ?? 'GET').toUpperCase();
  try {
    try {
      return await fetch(url, { ...init, headers, signal: AbortSignal.timeout(ms) });
    } catch (err) {
      // A connection closed before any answer, on a request that changes nothing: try once more, as a
      // browser does (a loaded machine can stall the server past a timeout between accept and read).
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if ((method !== 'GET' && method !== 'HEAD') || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw err;
      return await fetch(url, { ...init, headers, signal: AbortSignal.timeout(ms) });
    }
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${init.method ?? 'GET'} ${url}: ${(err as Error).message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`, { cause: err });
  }
}
