// The SMTP service: the three default listeners (MX, submission with STARTTLS,
// submissions with implicit TLS) plus one listener per enabled mail_server row
// that has a listen_interface. Rows are re-read on the store's `mail_server`
// event: new rows start a listener, changed rows restart theirs, disabled or
// deleted rows stop theirs, without restarting the process. A listener that
// cannot bind is logged and reported; the others keep running.
import type { TlsContexts } from '../certs/tls-contexts.ts';
import { type AuthThrottle, findMailServerByHostname, listMailServers, listMailDomains, type Store } from '../schema/index.ts';
import type { HeronConfig } from '../server/config.ts';
import type { Logger } from '../server/logger.ts';
import type { ListenerState, Service, SessionCount } from '../server/service.ts';
import { installExplicitEnhancedCodes } from './enhanced-codes.ts';
import { Listener, type ListenerDeps, type ListenerSpec } from './listener.ts';
import { ConnectionCounter } from './policy/concurrency.ts';
import type { RelayHandler } from './relay.ts';
import { createResolver } from './scoring/resolver.ts';

export interface SmtpServiceDeps {
  store: Store;
  log: Logger;
  tls: TlsContexts;
  throttle: AuthThrottle;
  config: HeronConfig;
  /** The outbound queue's hand-off; without it relay recipients get 451 4.3.2. */
  relay?: RelayHandler;
  stats?: ListenerDeps['stats'];
}

export interface SmtpService extends Service {
  ports(): { smtp: number; submission: number; submissions: number };
  /** Re-reads mail_server rows now (the `mail_server` event does this too). */
  reload(): Promise<void>;
  /** Bound port of a mail_server row's listener, or null when it is not listening. */
  rowPort(mailServerId: number): number | null;
}

const DEFAULT_MAX_SIZE = 26214400;
const DEFAULT_MAX_CLIENTS = 100;

/** Daptin's listen_interface: "0.0.0.0:465", ":2525", "[::1]:25". */
export function parseListenInterface(value: string, fallbackHost: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? (m[2] || fallbackHost), port };
}

type Slot = { spec: ListenerSpec; listener: Listener | null; error: string | null };

export function smtpService(deps: SmtpServiceDeps): SmtpService {
  const { config, log, store } = deps;
  installExplicitEnhancedCodes();
  let ownNames: ReadonlySet<string> = new Set([config.hostname]);
  // A row's max_clients, but never more than all SMTP listeners may have together.
  const listenerMax = (maxClients: number) => Math.min(maxClients, config.limits.budget.smtpTotal);
  const listenerDeps: ListenerDeps = {
    store,
    log,
    tls: deps.tls,
    throttle: deps.throttle,
    clients: new ConnectionCounter(),
    allowPlaintextAuth: config.allowPlaintextAuth,
    maxRecipients: config.smtp.maxRecipients,
    maxPerClient: config.smtp.maxPerClient,
    maxConnections: config.limits.budget.smtpTotal,
    commandTimeoutMs: config.smtp.commandTimeoutMs,
    errorLimits: config.smtpErrors,
    stats: deps.stats,
    delivery: {
      store,
      hostname: config.hostname,
      ownNames: () => ownNames,
      resolver: createResolver(config.dns, config.dnsTimeoutMs),
      spam: config.spam,
      maxHops: config.smtp.maxHops,
      relay: deps.relay,
    },
  };
  const defaults = new Map<'smtp' | 'submission' | 'submissions', Slot>();
  const rows = new Map<number, Slot>();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  const open = async (spec: ListenerSpec): Promise<Slot> => {
    const listener = new Listener(spec, listenerDeps);
    try {
      await listener.start();
      log.info({ listener: spec.label, host: spec.host, port: listener.port }, 'smtp listener started');
      return { spec, listener, error: null };
    } catch (err) {
      const error = (err as Error).message;
      log.error({ listener: spec.label, host: spec.host, port: spec.port }, error);
      return { spec, listener: null, error };
    }
  };

  const defaultSpecs = async (): Promise<Array<['smtp' | 'submission' | 'submissions', ListenerSpec]>> => {
    const row = await findMailServerByHostname(store, config.hostname);
    const common = { host: config.bind, hostname: config.hostname, maxSize: row?.max_size ?? DEFAULT_MAX_SIZE, maxClients: listenerMax(row?.max_clients ?? DEFAULT_MAX_CLIENTS) };
    return [
      ['smtp', { ...common, label: 'smtp', port: config.ports.smtp, implicitTls: false, authRequired: false }],
      ['submission', { ...common, label: 'submission', port: config.ports.submission, implicitTls: false, authRequired: true }],
      ['submissions', { ...common, label: 'submissions', port: config.ports.submissions, implicitTls: true, authRequired: true }],
    ];
  };

  // What needs a new socket; size and client limits are changed in place.
  const bindingOf = (s: ListenerSpec) => JSON.stringify([s.label, s.host, s.port, s.hostname, s.implicitTls, s.authRequired]);
  const sameBinding = (a: ListenerSpec, b: ListenerSpec) => bindingOf(a) === bindingOf(b);
  const reuse = (slot: Slot | undefined, spec: ListenerSpec): boolean => {
    if (!slot?.listener || !sameBinding(slot.spec, spec)) return false;
    slot.listener.updateLimits(spec.maxSize, spec.maxClients);
    return true;
  };

  const sync = async (): Promise<void> => {
    if (stopped) return;
    const servers = await listMailServers(store);
    const domains = await listMailDomains(store);
    ownNames = new Set([config.hostname, ...servers.map((s) => s.hostname), ...domains.map((d) => d.domain)]);
    // Default listeners follow the default mail_server's size and client limits.
    for (const [role, spec] of await defaultSpecs()) {
      const slot = defaults.get(role);
      if (slot && !slot.listener) continue; // reported at start; the defaults follow the config, not the rows
      if (!reuse(slot, spec)) defaults.set(role, await open(spec));
    }
    const wanted = new Map<number, ListenerSpec>();
    for (const row of servers) {
      if (!row.is_enabled || !row.listen_interface.trim()) continue;
      const at = parseListenInterface(row.listen_interface, config.bind);
      if (!at) {
        log.error({ mailServer: row.hostname, listenInterface: row.listen_interface }, 'mail_server listen_interface is not host:port; not listening');
        continue;
      }
      wanted.set(row.id, {
        label: `mail_server ${row.hostname}`,
        host: at.host,
        port: at.port,
        hostname: row.hostname,
        implicitTls: row.always_on_tls,
        authRequired: row.authentication_required,
        maxSize: row.max_size,
        maxClients: listenerMax(row.max_clients),
      });
    }
    for (const [id, slot] of rows) {
      const spec = wanted.get(id);
      if (spec && reuse(slot, spec)) continue;
      await slot.listener?.stop({ drain: false });
      rows.delete(id);
      if (!spec) log.info({ listener: slot.spec.label }, 'smtp listener stopped');
    }
    for (const [id, spec] of wanted) {
      if (!rows.has(id)) rows.set(id, await open(spec));
    }
  };

  const reload = (): Promise<void> => {
    chain = chain.then(sync).catch((err: unknown) => log.error({ err }, 'smtp listeners could not be reloaded'));
    return chain;
  };
  const onChange = () => void reload();

  const describeSlot = (slot: Slot) => {
    const tls = slot.spec.implicitTls ? 'implicit TLS' : 'STARTTLS';
    const auth = slot.spec.authRequired ? 'AUTH required' : 'MX, AUTH optional';
    return slot.listener
      ? `${slot.spec.label.padEnd(11)} smtp://${slot.spec.host}:${slot.listener.port} (${tls}, ${auth})`
      : `${slot.spec.label.padEnd(11)} NOT LISTENING: ${slot.error}`;
  };

  const stateOf = (slot: Slot): ListenerState => ({
    name: slot.spec.label,
    protocol: 'smtp',
    address: slot.spec.host,
    port: slot.listener?.port ?? slot.spec.port,
    tls: slot.spec.implicitTls ? 'implicit' : 'starttls',
    role: slot.spec.authRequired ? 'submission' : 'mx',
    hostname: slot.spec.hostname,
    listening: slot.listener !== null,
    error: slot.error,
  });

  return {
    name: 'smtp',
    async start() {
      store.events.on('mail_server', onChange);
      await reload();
    },
    async stop() {
      stopped = true;
      store.events.off('mail_server', onChange);
      await chain;
      const all = [...defaults.values(), ...rows.values()];
      await Promise.all(all.map((slot) => slot.listener?.stop()));
      defaults.clear();
      rows.clear();
    },
    describe: () => [...defaults.values(), ...rows.values()].map(describeSlot),
    listeners: () => [...defaults.values(), ...rows.values()].map(stateOf),
    sessions: (): SessionCount[] => [{ protocol: 'smtp', state: 'open', count: listenerDeps.clients.size }],
    ports: () => ({
      smtp: defaults.get('smtp')?.listener?.port ?? 0,
      submission: defaults.get('submission')?.listener?.port ?? 0,
      submissions: defaults.get('submissions')?.listener?.port ?? 0,
    }),
    reload,
    rowPort: (id) => rows.get(id)?.listener?.port ?? null,
  };
}
