// Wires the process together: store, secret, first-run bootstrap, services.
// Used by server/main.ts and by tests, which start the real thing on ephemeral
// loopback ports with a temporary data directory.
import fs from 'node:fs';
import path from 'node:path';
import { loadSecret, type SecretBox } from '../certs/secret.ts';
import { createTlsContexts, type TlsContexts } from '../certs/tls-contexts.ts';
import { AuthThrottle, closeStore, openStore, type Store } from '../schema/index.ts';
import { imapService } from '../imapd/server.ts';
import { apiService } from './api/service.ts';
import { bootstrap, type BootstrapResult } from './bootstrap.ts';
import type { HeronConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { Service } from './service.ts';

export interface Heron {
  config: HeronConfig;
  store: Store;
  secret: SecretBox;
  tls: TlsContexts;
  boot: BootstrapResult;
  services: Service[];
  /** Actual bound ports (differ from config when it asked for port 0). */
  ports: { api: number; imap: number; imaps: number };
  stop(): Promise<void>;
}

export class DataDirError extends Error {}

function ensureWritableDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, 'ok');
    fs.unlinkSync(probe);
  } catch (err) {
    throw new DataDirError(`data folder ${dir} is not writable: ${(err as Error).message}`);
  }
}

export async function startHeron(config: HeronConfig, log: Logger): Promise<Heron> {
  ensureWritableDataDir(config.dataDir);
  const store = openStore(config.databaseFile);
  const started: Service[] = [];
  try {
    const secret = loadSecret(config.dataDir);
    const boot = await bootstrap(store, config, secret);
    const tls = createTlsContexts(store, secret, config.hostname);
    const throttle = new AuthThrottle();
    const api = apiService({ store, log, throttle, tokenTtlMs: config.tokenTtlMs, bind: config.bind, port: config.ports.api });
    const imap = imapService({
      store,
      tls,
      throttle,
      log,
      hostname: config.hostname,
      bind: config.bind,
      port: config.ports.imap,
      tlsPort: config.ports.imaps,
      allowPlaintextAuth: config.allowPlaintextAuth,
      limits: { maxConnectionsPerUser: config.imapMaxConnectionsPerUser, preAuthTimeoutMs: config.imapLoginTimeoutMs },
    });
    const services: Service[] = [api, imap];
    for (const service of services) {
      await service.start();
      started.push(service);
    }
    let stopping: Promise<void> | null = null;
    return {
      config,
      store,
      secret,
      tls,
      boot,
      services,
      ports: { api: api.port(), ...imap.ports() },
      stop() {
        stopping ??= (async () => {
          for (const service of [...started].reverse()) {
            try {
              await service.stop();
            } catch (err) {
              log.error({ err, service: service.name }, 'service did not stop cleanly');
            }
          }
          tls.close();
          await closeStore(store);
        })();
        return stopping;
      },
    };
  } catch (err) {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
    await closeStore(store);
    throw err;
  }
}
