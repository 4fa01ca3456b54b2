// Process entry: `npm start`. Reads configuration, starts Heron, prints what a
// person needs next, and shuts down cleanly on SIGINT/SIGTERM.
import { SchemaVersionError, StoreError } from '../schema/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startupBanner } from './banner.ts';
import { DataDirError, startHeron } from './heron.ts';
import { ListenError } from './listen.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`heron: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let heron;
  try {
    heron = await startHeron(config, log);
  } catch (err) {
    if (err instanceof ListenError || err instanceof DataDirError || err instanceof SchemaVersionError) {
      console.error(`heron: ${err.message}`);
      process.exit(1);
    }
    if (err instanceof StoreError && err.code === 'UNAVAILABLE') {
      console.error(`heron: cannot open the database: ${(err.cause as Error | undefined)?.message ?? err.message}`);
      process.exit(1);
    }
    throw err;
  }
  process.stdout.write(startupBanner(heron) + '\n');
  log.info({ ports: heron.ports, dataDir: config.dataDir, database: heron.store.engine.name }, 'heron started');

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    heron.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error('heron: failed to start:', err);
  process.exit(1);
});
