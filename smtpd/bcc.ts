// RFC 5322 §3.6.3: the addresses in Bcc are not to be revealed to the other
// recipients. A submission's Bcc field therefore leaves no copy but the
// sender's own (Sent); Heron removes it from every relayed and delivered copy,
// as Postfix's cleanup does.
import { removeHeaderFields } from '../schema/index.ts';

const BLIND = new Set(['bcc', 'resent-bcc']);

/** The message without Bcc and Resent-Bcc fields; every other byte unchanged. */
export function withoutBcc(raw: Buffer): Buffer {
  return removeHeaderFields(raw, (f) => BLIND.has(f.key));
}
