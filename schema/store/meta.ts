// Process-wide counters kept in heron_meta.
import type { Queryable } from './store.ts';

/**
 * A UIDVALIDITY never handed out before (RFC 3501 §2.3.1.1): at least the
 * current time in seconds and above every earlier one, so a mailbox deleted and
 * created again under the same name always gets a new value. Call inside a
 * write: one statement, so concurrent writers (other nodes) never get the same value.
 */
export async function nextUidValidity(tx: Queryable): Promise<number> {
  const candidate = Math.floor(Date.now() / 1000);
  const row = await tx.get<{ value: string }>(
    `INSERT INTO heron_meta (key, value) VALUES ('last_uidvalidity', ?)
     ON CONFLICT (key) DO UPDATE SET value = CASE
       WHEN CAST(heron_meta.value AS BIGINT) + 1 > CAST(excluded.value AS BIGINT) THEN CAST(CAST(heron_meta.value AS BIGINT) + 1 AS TEXT)
       ELSE excluded.value END
     RETURNING value`,
    String(candidate),
  );
  // Stay within 32 bits (RFC 3501 nz-number).
  return Number(row!.value) % 0xffffffff || 1;
}
