// Computes the SORT and THREAD keys of messages stored before Heron kept them
// (schema/store/sort-keys.ts), in the background after start: batches of a few
// hundred rows, each its own short write, so deliveries and sessions go on
// meanwhile. SORT and THREAD on a mailbox that still has such rows compute
// that mailbox's at once. When nothing is left the store records it, and
// later starts only check that record.
import { backfillSortKeys, finishSortKeysBackfill, sortKeysPending, type Store } from '../schema/index.ts';
import type { Logger } from './logger.ts';
import type { Service } from './service.ts';

const BATCH = 200;

export interface SortKeysBackfill extends Service {
  /** Resolves when the pass under way (if any) has ended: finished or stopped. */
  idle(): Promise<void>;
}

export function sortKeysBackfill(deps: { store: Store; log: Pick<Logger, 'info' | 'error'> }): SortKeysBackfill {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const pass = async (): Promise<void> => {
    if (!(await sortKeysPending(deps.store))) return;
    let afterId = 0;
    let total = 0;
    while (!stopped) {
      const batch = await backfillSortKeys(deps.store, { afterId, limit: BATCH });
      if (batch.count === 0) break;
      total += batch.count;
      afterId = batch.lastId;
      // Let sessions and deliveries in between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (stopped) return;
    if (await finishSortKeysBackfill(deps.store)) {
      if (total > 0) deps.log.info({ messages: total }, 'SORT/THREAD keys computed for messages stored before they existed');
    }
  };

  return {
    name: 'sort-keys-backfill',
    async start() {
      stopped = false;
      running = pass().catch((err: unknown) => deps.log.error({ err }, 'computing SORT/THREAD keys failed; SORT and THREAD compute them per mailbox'));
    },
    async stop() {
      stopped = true;
      await running;
    },
    describe: () => [],
    idle: () => running,
  };
}
