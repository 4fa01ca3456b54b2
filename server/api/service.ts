// The admin API as a Service, with its connection limits: a total from the
// descriptor budget, a number per client address, and timeouts that bound
// slow clients (README "Limits").
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Service } from '../service.ts';
import { clientAddress, httpListenerState, listen } from '../listen.ts';
import { type ApiDeps, createApiApp } from './app.ts';

/** The request line and headers must arrive within this (slow-header clients). */
const HEADERS_TIMEOUT_MS = 15_000;
/** A whole request, body included: a 40 MiB body still fits at about 1.1 Mbit/s. */
const REQUEST_TIMEOUT_MS = 300_000;
/** An idle kept-alive connection is closed after this. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A connection on which nothing moves either way is closed after this. */
const IDLE_TIMEOUT_MS = 60_000;
/** How often Node checks the two timeouts above (its default, 30 s, would stretch them). */
const TIMEOUT_CHECK_INTERVAL_MS = 2_000;

export function apiService(deps: ApiDeps & { bind: string; port: number }): Service & { port(): number } {
  let server: http.Server | null = null;
  let boundPort = 0;
  const sockets = new Set<Socket>();
  const perAddress = new Map<string, number>();
  const { limits } = deps.config;
  return {
    name: 'api',
    async start() {
      const handler = createApiApp(deps).callback();
      server = http.createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS }, handler);
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.timeout = IDLE_TIMEOUT_MS;
      // Past the total Node closes new connections at once.
      server.maxConnections = limits.budget.apiConnections;
      // "Expect: 100-continue" is answered only when a route reads the body (body.ts), so a
      // body refused on its Content-Length is never sent at all.
      server.on('checkContinue', handler);
      server.on('connection', (socket: Socket) => {
        const address = clientAddress(socket);
        const open = perAddress.get(address) ?? 0;
        if (open >= limits.apiMaxPerClient) {
          socket.destroy();
          return;
        }
        perAddress.set(address, open + 1);
        sockets.add(socket);
        socket.on('close', () => {
          sockets.delete(socket);
          const left = (perAddress.get(address) ?? 1) - 1;
          if (left > 0) perAddress.set(address, left);
          else perAddress.delete(address);
        });
      });
      boundPort = await listen(server, deps.port, deps.bind, 'admin API');
    },
    async stop() {
      if (!server) return;
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; then connections are cut.
      const timer = setTimeout(() => sockets.forEach((s) => s.destroy()), 5000);
      await closing;
      clearTimeout(timer);
      server = null;
    },
    describe: () => [`admin API   http://${deps.bind}:${boundPort}`],
    port: () => boundPort,
    listeners: () => [httpListenerState('api', deps.bind, boundPort)],
  };
}
