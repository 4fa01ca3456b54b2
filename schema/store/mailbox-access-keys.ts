// URLAUTH mailbox access keys (RFC 4467 §2.2): one per mailbox, stored sealed
// with the server secret (the IMAP server seals and opens them; the store
// never sees a key in the clear).
import { now, type Store, write } from './store.ts';

/** A mailbox's sealed access key, or null when it has none. */
export async function getMailboxAccessKey(store: Store, mailboxId: number): Promise<string | null> {
  const row = await store.get<{ sealed: string }>(`SELECT sealed_key AS sealed FROM mail_box_access_key WHERE mail_box_id = ?`, mailboxId);
  return row?.sealed ?? null;
}

/**
 * The mailbox's sealed key; when it has none, `candidate` becomes it (RFC 4467
 * §7 GENURLAUTH: "one is automatically generated"). Sessions racing to create
 * one all get the same key.
 */
export async function ensureMailboxAccessKey(store: Store, accountId: number, mailboxId: number, candidate: string): Promise<string> {
  return write(store, async (tx) => {
    const t = now();
    await tx.run(
      `INSERT INTO mail_box_access_key (mail_box_id, mail_account_id, sealed_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (mail_box_id) DO NOTHING`,
      mailboxId,
      accountId,
      candidate,
      t,
      t,
    );
    const row = await tx.get<{ sealed: string }>(`SELECT sealed_key AS sealed FROM mail_box_access_key WHERE mail_box_id = ?`, mailboxId);
    return row!.sealed;
  });
}

/** RESETKEY mailbox: a new key, revoking every URL the old one authorized. */
export async function replaceMailboxAccessKey(store: Store, accountId: number, mailboxId: number, sealed: string): Promise<void> {
  await write(store, async (tx) => {
    const t = now();
    await tx.run(
      `INSERT INTO mail_box_access_key (mail_box_id, mail_account_id, sealed_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (mail_box_id) DO UPDATE SET sealed_key = excluded.sealed_key, updated_at = excluded.updated_at`,
      mailboxId,
      accountId,
      sealed,
      t,
      t,
    );
  });
}

/** RESETKEY without arguments: every key of the account removed, every URL it authorized revoked. */
export async function deleteMailboxAccessKeys(store: Store, accountId: number): Promise<void> {
  await write(store, async (tx) => {
    await tx.run(`DELETE FROM mail_box_access_key WHERE mail_account_id = ?`, accountId);
  });
}
