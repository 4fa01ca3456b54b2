// Process-wide counters kept in heron_meta.
import { stmt, type Store } from './store.ts';

/**
 * A UIDVALIDITY never handed out before (RFC 3501 §2.3.1.1): at least the
 * current time in seconds and above every earlier one, so a mailbox deleted and
 * created again under the same name always gets a new value. Call inside a write.
 */
export function nextUidValidity(store: Store): number {
  const row = stmt(store, `SELECT value FROM heron_meta WHERE key = 'last_uidvalidity'`).get() as { value: string } | undefined;
  const last = row ? Number(row.value) : 0;
  // Stay within 32 bits (RFC 3501 nz-number).
  const candidate = Math.max(Math.floor(Date.now() / 1000), last + 1) % 0xffffffff || 1;
  stmt(store, `INSERT INTO heron_meta (key, value) VALUES ('last_uidvalidity', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
    String(candidate),
  );
  return candidate;
}
