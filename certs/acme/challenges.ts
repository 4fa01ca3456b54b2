// HTTP-01 challenge responses waiting to be fetched by the ACME server
// (RFC 8555 §8.3): token → key authorization, served at
// /.well-known/acme-challenge/<token> on the API port and the optional port-80 listener.
export const CHALLENGE_PATH_PREFIX = '/.well-known/acme-challenge/';

/** RFC 8555 §8.1: tokens are base64url, at least 128 bits of entropy. */
const TOKEN = /^[A-Za-z0-9_-]{16,256}$/;

export class ChallengeStore {
  private readonly tokens = new Map<string, string>();

  set(token: string, keyAuthorization: string): void {
    if (!TOKEN.test(token)) throw new Error('ACME challenge token is not base64url');
    this.tokens.set(token, keyAuthorization);
  }

  delete(token: string): void {
    this.tokens.delete(token);
  }

  /** The key authorization for a request path, or undefined when it is not a pending challenge. */
  answer(path: string): string | undefined {
    if (!path.startsWith(CHALLENGE_PATH_PREFIX)) return undefined;
    const token = path.slice(CHALLENGE_PATH_PREFIX.length);
    return TOKEN.test(token) ? this.tokens.get(token) : undefined;
  }
}
