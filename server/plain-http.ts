// A small plain-HTTP listener that answers one thing (ACME challenges, metrics):
// bounded connections and timeouts, closed with its connections on stop.
import http from 'node:http';
import { httpListenerState, listen } from './listen.ts';
import type { Service } from './service.ts';

export interface PlainHttpOptions {
  /** Service and listener name ("acme-http", "metrics"). */
  name: string;
  /** For the bind error message. */
  label: string;
  bind: string;
  port: number;
  handler: http.RequestListener;
  /** The startup line, given the bound port. */
  describe(port: number): string;
}

export function plainHttpService(options: PlainHttpOptions): Service & { port(): number } {
  let server: http.Server | null = null;
  let bound = 0;
  return {
    name: options.name,
    async start() {
      server = http.createServer(options.handler);
      // Its clients (a CA, a scraper) hold few connections; idle ones are dropped.
      server.maxConnections = 64;
      server.keepAliveTimeout = 5_000;
      server.headersTimeout = 10_000;
      bound = await listen(server, options.port, options.bind, options.label);
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    describe: () => [options.describe(bound)],
    port: () => bound,
    listeners: () => [httpListenerState(options.name, options.bind, bound)],
  };
}
