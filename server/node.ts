// This process as one node of several on a shared database (PostgreSQL): its
// row in heron_node, renewed every few seconds, so that what it holds (IMAP
// session slots) counts for the others while it runs and stops counting soon
// after it dies. Each renewal also removes nodes that died a while ago.
import crypto from 'node:crypto';
import { pruneNodes, registerNode, removeNode, renewNode, type Store } from '../schema/index.ts';
import type { Logger } from './logger.ts';
import type { Service } from './service.ts';

/** Gone nodes' rows are removed this long after their lease ended. */
const FORGET_MS = 10 * 60_000;

/** `leaseMs`: a node that has not renewed its row for this long counts as gone; it renews three times per lease. */
export function nodeService(store: Store, hostname: string, leaseMs: number, log: Pick<Logger, 'warn' | 'info'>): Service & { readonly id: string } {
  const renewMs = Math.max(250, Math.floor(leaseMs / 3));
  const identity = { id: crypto.randomUUID(), hostname, pid: process.pid };
  let timer: NodeJS.Timeout | null = null;
  let failing = false;

  const renew = async () => {
    try {
      if (!(await renewNode(store, identity.id, leaseMs))) {
        // Removed while this node could not reach the database: its earlier session slots are gone with it.
        log.warn({ node: identity.id }, 'node row was removed while the database was unreachable; registering again');
        await registerNode(store, identity, leaseMs);
      }
      await pruneNodes(store, Date.now() - FORGET_MS);
      if (failing) log.info({ node: identity.id }, 'node lease renewed again');
      failing = false;
    } catch (err) {
      if (!failing) log.warn({ err, node: identity.id }, 'could not renew the node lease; retrying');
      failing = true;
    }
  };

  return {
    name: 'node',
    id: identity.id,
    async start() {
      await registerNode(store, identity, leaseMs);
      const tick = () => {
        timer = setTimeout(() => void renew().finally(() => timer && tick()), renewMs);
        timer.unref();
      };
      tick();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await removeNode(store, identity.id).catch(() => undefined);
    },
    describe: () => [`node        ${identity.id} (shared database)`],
  };
}
