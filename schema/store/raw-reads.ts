// Reading a stored message's raw bytes piece by piece, so that IMAP FETCH and
// the API can send a 25 MB message without holding it whole in memory.
import { StoreError } from './errors.ts';
import type { Store } from './store.ts';

/**
 * Bytes per read of a message of `size` bytes. SQLite's substr() loads the
 * whole blob for every call (about 10 ms for 24 MB here), so a large message
 * is read in at most about 8 pieces; pieces stay between 1 and 4 MiB so that a
 * session streaming a message holds little memory. PostgreSQL reads a slice of
 * an out-of-line bytea without the rest, but node-postgres receives it as hex
 * text (twice its size, then decoded): pieces of 60 KiB keep that string under
 * V8's 128 KB large-object size, so it dies young instead of piling up in the
 * large-object space until a full GC (+100 MB during a 24 × 24 MB FETCH with
 * 512 KiB pieces, +25 MB with these, at the same speed).
 */
export function rawChunkSize(store: Store, size: number): number {
  if (store.dialect.name === 'postgres') return 60 * 1024;
  return Math.min(4 * 1024 * 1024, Math.max(1024 * 1024, Math.ceil(size / 8)));
}

/** Size in bytes of a stored raw message, or null when it is gone (its last copy was expunged). */
export async function rawSize(store: Store, rawId: number): Promise<number | null> {
  // length() of a blob is read from the record header; the blob itself is not loaded.
  const row = await store.get<{ size: number }>(`SELECT length(data) AS size FROM mail_raw WHERE id = ?`, rawId);
  return row ? row.size : null;
}

/** Up to `length` bytes of a raw message from byte `start` (fewer at its end). */
export async function readRawRange(store: Store, rawId: number, start: number, length: number): Promise<Buffer> {
  // substr() counts from 1 and, on a blob (bytea), in bytes, on both engines.
  const row = await store.get<{ bytes: Buffer | null }>(`SELECT substr(data, ?, ?) AS bytes FROM mail_raw WHERE id = ?`, start + 1, length, rawId);
  if (!row) throw new StoreError('NONEXISTENT', 'message body is gone');
  return row.bytes ?? Buffer.alloc(0);
}

/** Bytes [start, end) of a raw message, one read of `chunkSize` at a time as the consumer pulls them. */
export async function* readRawChunks(store: Store, rawId: number, start: number, end: number, chunkSize: number): AsyncGenerator<Buffer> {
  for (let at = start; at < end; ) {
    const bytes = await readRawRange(store, rawId, at, Math.min(chunkSize, end - at));
    if (bytes.length === 0) throw new StoreError('NONEXISTENT', `message body ends at byte ${at}, before ${end}`);
    at += bytes.length;
    yield bytes;
  }
}
