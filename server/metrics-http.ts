// The optional plain-HTTP listener of HERON_METRICS_PORT: GET /metrics without
// a token, for a Prometheus that scrapes over a private network. It answers
// nothing else; bind it where only the scraper can reach it.
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { plainHttpService } from './plain-http.ts';
import type { Service } from './service.ts';

export function metricsHttpService(metrics: Metrics, bind: string, port: number, log: Logger): Service & { port(): number } {
  return plainHttpService({
    name: 'metrics',
    label: 'metrics listener',
    bind,
    port,
    describe: (bound) => `metrics     http://${bind}:${bound}/metrics`,
    handler(req, res) {
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
    },
  });
}
