// The optional plain-HTTP listener of HERON_METRICS_PORT: GET /metrics without
// a token, for a Prometheus that scrapes over a private network. It answers
// nothing else; bind it where only the scraper can reach it.
import http from 'node:http';
import type { Logger } from './logger.ts';
import { httpListenerState, listen } from './listen.ts';
import type { Metrics } from './metrics.ts';
import type { Service } from './service.ts';

export function metricsHttpService(metrics: Metrics, bind: string, port: number, log: Logger): Service & { port(): number } {
  let server: http.Server | null = null;
  let bound = 0;
  return {
    name: 'metrics-http',
    async start() {
      server = http.createServer((req, res) => {
        if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found\n');
          return;
        }
        metrics.text().then(
          ({ contentType, body }) => {
            res.writeHead(200, { 'content-type': contentType });
            res.end(body);
          },
          (err: unknown) => {
            log.warn({ err }, 'metrics could not be collected');
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end('metrics could not be collected\n');
          },
        );
      });
      // Scrapers hold few connections; idle ones are dropped.
      server.maxConnections = 32;
      server.keepAliveTimeout = 5_000;
      server.headersTimeout = 10_000;
      bound = await listen(server, port, bind, 'metrics listener');
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    describe: () => [`metrics     http://${bind}:${bound}/metrics`],
    port: () => bound,
    listeners: () => [httpListenerState('metrics', bind, bound)],
  };
}
