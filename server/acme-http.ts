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
      const answer = req.method === 'GET' ? challenges.answer(new URL(req.url ?? '/', 'http://x').pathname) : undefined;
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'text/plain' });
      res.end(answer ?? 'not found\n');
    },
  });
}
