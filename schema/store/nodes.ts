// Running Heron processes ("nodes") on a shared database, and the IMAP
// sessions they hold, so that the per-account connection cap counts every
// node's sessions. A node renews its lease (`expires_at`) while it runs; the
// sessions of a node whose lease ran out (it crashed, or lost the database)
// stop counting at once, and any node removes such nodes (and, by cascade,
// their sessions) a while later.
import { now, type Store, write } from './store.ts';

export interface NodeIdentity {
  id: string;
  hostname: string;
  pid: number;
}

/** Adds this node (or renews it, if its row is there already) with a lease of `leaseMs`. */
export async function registerNode(store: Store, node: NodeIdentity, leaseMs: number): Promise<void> {
  const t = now();
  await store.run(
    `INSERT INTO heron_node (id, hostname, pid, started_at, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`,
    node.id,
    node.hostname,
    node.pid,
    t,
    t + leaseMs,
  );
}

/** Extends this node's lease; false when its row is gone (removed while the node could not renew it). */
export async function renewNode(store: Store, id: string, leaseMs: number): Promise<boolean> {
  const { changes } = await store.run(`UPDATE heron_node SET expires_at = ? WHERE id = ?`, now() + leaseMs, id);
  return changes > 0;
}

/** Removes this node and its sessions (a clean stop). */
export async function removeNode(store: Store, id: string): Promise<void> {
  await store.run(`DELETE FROM heron_node WHERE id = ?`, id);
}

/** Removes nodes whose lease ended before `before`, and their sessions; returns how many. */
export async function pruneNodes(store: Store, before: number): Promise<number> {
  return (await store.run(`DELETE FROM heron_node WHERE expires_at < ?`, before)).changes;
}

/**
 * Records an IMAP session of the account on this node, unless `max` sessions
 * of the account are open already on nodes whose lease runs (this one
 * included); returns the session's id, or undefined when refused. Logins of
 * one account take turns on its row, so two nodes never both take the last slot.
 */
export async function openImapSession(store: Store, nodeId: string, accountId: number, max: number): Promise<number | undefined> {
  return write(store, async (tx) => {
    const t = now();
    const [, inserted] = await tx.finish([
      { sql: `SELECT id FROM mail_account WHERE id = ?${tx.dialect.forNoKeyUpdate}`, params: [accountId] },
      {
        sql: `INSERT INTO imap_session (node_id, mail_account_id, created_at)
              SELECT ?, ?, ? WHERE (SELECT count(*) FROM imap_session s JOIN heron_node n ON n.id = s.node_id
                                    WHERE s.mail_account_id = ? AND n.expires_at > ?) < ?
              RETURNING id`,
        params: [nodeId, accountId, t, accountId, t, max],
      },
    ]);
    return (inserted[0] as { id: number } | undefined)?.id;
  });
}

export async function closeImapSession(store: Store, sessionId: number): Promise<void> {
  await store.run(`DELETE FROM imap_session WHERE id = ?`, sessionId);
}

/** Removes this node's session rows other than `open` (after releases that failed while the database was away). */
export async function keepOnlyImapSessions(store: Store, nodeId: string, open: readonly number[]): Promise<void> {
  await store.run(`DELETE FROM imap_session WHERE node_id = ? AND id NOT IN ${store.dialect.intList}`, nodeId, JSON.stringify(open));
}

/** Open sessions of an account on live nodes (tests, operators). */
export async function countImapSessions(store: Store, accountId: number): Promise<number> {
  const row = await store.get<{ n: number }>(
    `SELECT count(*) AS n FROM imap_session s JOIN heron_node n ON n.id = s.node_id WHERE s.mail_account_id = ? AND n.expires_at > ?`,
    accountId,
    now(),
  );
  return row?.n ?? 0;
}
