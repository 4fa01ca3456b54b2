// The optional plain-HTTP listener (HERON_ACME_HTTP_PORT, usually 80) that
// answers only ACME HTTP-01 challenges, for hosts whose API port is not port 80.
import type { ChallengeStore } from '../certs/acme/challenges.ts';
import { plainHttpService } from './plain-http.ts';
import type { Service } from './service.ts';

export function acmeHttpService(challenges: ChallengeStore, bind: string, port: number): Service & { port(): number } {
  return plainHttpService({
    name: 'acme-http',
    label: 'ACME challenge listener',
    bind,
    port,
    describe: (bound) => `ACME HTTP-01 http://${bind}:${bound}/.well-known/acme-challenge/`,
    handler(req, res) {
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
    },
  });
}
