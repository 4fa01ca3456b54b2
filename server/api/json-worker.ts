// Large JSON request bodies are parsed off the event loop. On the development
// machine JSON.parse of a 30 MB body took 25–180 ms and 30 MB of small numbers
// 1.5 s, time in which no SMTP, IMAP or API client gets an answer. Bodies past
// INLINE_JSON_BYTES go, chunk by chunk as they arrive, to one worker thread the
// process shares (json-parse-worker.mjs). At most LARGE_BODY_SLOTS are in the
// worker at once; the others wait unread, so TCP holds their senders back.
import { Worker } from 'node:worker_threads';
import { HttpError } from './errors.ts';

/** Bodies up to this size are parsed in place (at worst ~3 ms). */
export const INLINE_JSON_BYTES = 64 * 1024;
export const MAX_JSON_VALUES = 100_000;
export const MAX_JSON_DEPTH = 64;
const LARGE_BODY_SLOTS = 4;
const WORKER_HEAP_MB = 512;

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

interface PendingJob {
  worker: Worker;
  settle(reply: Reply | Error): void;
}

let current: Worker | null = null;
const jobs = new Map<number, PendingJob>();
let nextId = 1;

function worker(): Worker {
  if (current) return current;
  const w = new Worker(new URL('./json-parse-worker.mjs', import.meta.url), {
    workerData: { maxValues: MAX_JSON_VALUES, maxDepth: MAX_JSON_DEPTH },
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    execArgv: [],
  });
  w.on('message', (reply: Reply) => {
    const job = jobs.get(reply.id);
    jobs.delete(reply.id);
    job?.settle(reply);
  });
  // A crash (out of memory, say) fails the bodies it held; the next body gets a new worker.
  const failAll = (err: Error) => {
    if (current === w) current = null;
    for (const [id, job] of jobs) {
      if (job.worker !== w) continue;
      jobs.delete(id);
      job.settle(err);
    }
  };
  w.on('error', failAll);
  w.on('exit', () => failAll(new Error('JSON worker stopped')));
  // After the listeners: adding a 'message' listener refs the worker again.
  w.unref();
  current = w;
  return w;
}

let inFlight = 0;
const waiting: Array<() => void> = [];

async function takeSlot(): Promise<() => void> {
  if (inFlight >= LARGE_BODY_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else inFlight++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = waiting.shift();
    if (next) next(); // the slot passes on
    else inFlight--;
  };
}

export interface JsonJob {
  push(chunk: Buffer): void;
  /** The parsed value; HttpError 400 for bad JSON or a document past the value or depth limits. */
  finish(): Promise<unknown>;
  cancel(): void;
}

/** Starts parsing one body in the worker; waits while LARGE_BODY_SLOTS bodies are there already. */
export async function startJsonJob(): Promise<JsonJob> {
  const release = await takeSlot();
  const id = nextId++;
  const w = worker();
  let failure: Error | null = null;
  let settle: (reply: Reply | Error) => void = (reply) => {
    if (reply instanceof Error) failure = reply;
  };
  jobs.set(id, { worker: w, settle: (reply) => settle(reply) });
  return {
    push(chunk) {
      if (failure) return;
      // A copy of exactly this chunk: the socket's buffer may hold other bytes too.
      const copy = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength);
      w.postMessage({ id, chunk: copy }, [copy as ArrayBuffer]);
    },
    finish() {
      return new Promise<unknown>((resolve, reject) => {
        settle = (reply) => {
          release();
          if (reply instanceof Error) reject(new HttpError(503, 'Service Unavailable', 'the request body could not be parsed now; try again'));
          else if (reply.ok) resolve(reply.value);
          else reject(new HttpError(400, 'Bad Request', reply.error));
        };
        if (failure) return settle(failure);
        w.postMessage({ id, end: true });
      });
    },
    cancel() {
      jobs.delete(id);
      release();
      if (!failure) w.postMessage({ id, cancel: true });
    },
  };
}
