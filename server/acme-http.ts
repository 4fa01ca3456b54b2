// The optional plain-HTTP listener (HERON_ACME_HTTP_PORT, usually 80) that
// answers only ACME HTTP-01 challenges, for hosts whose API port is not port 80.
import http from 'node:http';
import type { ChallengeStore } from '../certs/acme/challenges.ts';
import { httpListenerState, listen } from './listen.ts';
import type { Service } from './service.ts';

export function acmeHttpService(challenges: ChallengeStore, bind: string, port: number): Service & { port(): number } {
  let server: http.Server | null = null;
  let bound = 0;
  return {
    name: 'acme-http',
    async start() {
      server = http.createServer((req, res) => {
        const lookup = req.method === 'GET' ? challenges.answer(new URL(req.url ?? '/', 'http://x').pathname) : Promise.resolve(undefined);
        lookup.then(
          (answer) => {
            res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'text/plain' });
            res.end(answer ?? 'not found\n');
          },
          // The challenges live in the database: while it is unreachable the CA is told to come back.
          () => {
            res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' });
            res.end('try again later\n');
          },
        );
      });
      bound = await listen(server, port, bind, 'ACME challenge listener');
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    describe: () => [`ACME HTTP-01 http://${bind}:${bound}/.well-known/acme-challenge/`],
    port: () => bound,
    listeners: () => [httpListenerState('acme-http', bind, bound)],
  };
}
