// Keeps the change journal bounded: at start and then every hour, expunges
// older than HERON_IMAP_EXPUNGE_RETENTION_DAYS and other journal rows older
// than a week are removed (schema/store/journal.ts says what QRESYNC answers
// for them). Any node may run it; runs never overlap within a process.
import { CHANGE_RETENTION_MS, type PruneResult, pruneJournal, type Store } from '../schema/index.ts';
import type { Logger } from './logger.ts';
import type { Service } from './service.ts';

export const RETENTION_CHECK_MS = 3600_000;

export function journalRetentionService(deps: { store: Store; log: Pick<Logger, 'info' | 'error'>; expungeRetentionMs: number }) {
  let timer: NodeJS.Timeout | null = null;
  let first: NodeJS.Immediate | null = null;
  let running: Promise<PruneResult> | null = null;
  const policy = { expungeRetentionMs: deps.expungeRetentionMs, changeRetentionMs: Math.min(CHANGE_RETENTION_MS, deps.expungeRetentionMs) };

  /** One pass; concurrent calls share it. `at` is the clock the retention counts back from. */
  const runOnce = (at = Date.now()): Promise<PruneResult> => {
    running ??= pruneJournal(deps.store, policy, at)
      .then((result) => {
        if (result.expunges + result.changes + result.threadRefs > 0) deps.log.info(result, 'change journal pruned');
        return result;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const tick = () => {
    runOnce().catch((err: unknown) => deps.log.error({ err }, 'change journal pruning failed'));
  };

  return {
    name: 'journal-retention',
    async start() {
      timer = setInterval(tick, RETENTION_CHECK_MS);
      timer.unref();
      first = setImmediate(tick);
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (first) clearImmediate(first);
      timer = null;
      first = null;
      await running?.catch(() => undefined);
    },
    describe: () => [`IMAP change journal keeps expunges ${Math.round((deps.expungeRetentionMs / 86_400_000) * 10) / 10} days`],
    runOnce,
  } satisfies Service & { runOnce: typeof runOnce };
}
