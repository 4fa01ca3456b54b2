// HTTP-01 challenge responses waiting to be fetched by the ACME server
// (RFC 8555 §8.3): token → key authorization, served at
// /.well-known/acme-challenge/<token> on the API port and the optional port-80
// listener. They live in the store, so that when several nodes share a
// database the CA may ask any of them (a load balancer in front picks one).
import { deleteAcmeChallenge, findAcmeChallenge, saveAcmeChallenge, type Store } from '../../schema/index.ts';

export const CHALLENGE_PATH_PREFIX = '/.well-known/acme-challenge/';

/** RFC 8555 §8.1: tokens are base64url, at least 128 bits of entropy. */
const TOKEN = /^[A-Za-z0-9_-]{16,256}$/;
/** A challenge left behind (the order failed, the node died) stops being answered after this. */
const CHALLENGE_TTL_MS = 60 * 60_000;

export class ChallengeStore {
  constructor(private readonly store: Store) {}

  async set(token: string, keyAuthorization: string): Promise<void> {
    if (!TOKEN.test(token)) throw new Error('ACME challenge token is not base64url');
    await saveAcmeChallenge(this.store, token, keyAuthorization, Date.now() + CHALLENGE_TTL_MS);
  }

  async delete(token: string): Promise<void> {
    await deleteAcmeChallenge(this.store, token);
  }

  /** The key authorization for a request path, or undefined when it is not a pending challenge. */
  async answer(path: string): Promise<string | undefined> {
    if (!path.startsWith(CHALLENGE_PATH_PREFIX)) return undefined;
    const token = path.slice(CHALLENGE_PATH_PREFIX.length);
    return TOKEN.test(token) ? findAcmeChallenge(this.store, token) : undefined;
  }
}
