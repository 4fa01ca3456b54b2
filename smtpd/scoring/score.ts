// Daptin's spam score (SPF valid 0, SPF error 50, SPF invalid 200, +100 per
// failed or missing DKIM signature) plus a DMARC-fail weight, and where the
// score sends a message: above junkAbove to Junk, above flagAbove to INBOX
// with the $Junk keyword (RFC 3501 §2.3.2: servers may not invent \Spam).
import type { SpamWeights } from '../../server/config.ts';

export interface AuthVerdicts {
  spf: string;
  /** One result per DKIM signature; `none` when the message has no signature. */
  dkim: string[];
  dmarc: string;
}

export type Destination = 'inbox' | 'flagged' | 'junk';

export function spamScore(v: AuthVerdicts, w: SpamWeights): number {
  let score = 0;
  if (v.spf === 'temperror' || v.spf === 'permerror') score += w.spfError;
  else if (v.spf === 'fail' || v.spf === 'softfail') score += w.spfFail;
  const dkim = v.dkim.length ? v.dkim : ['none'];
  score += dkim.filter((r) => r !== 'pass').length * w.dkimFail;
  if (v.dmarc === 'fail') score += w.dmarcFail;
  return score;
}

export function destinationFor(score: number, w: SpamWeights): Destination {
  if (score > w.junkAbove) return 'junk';
  if (score > w.flagAbove) return 'flagged';
  return 'inbox';
}
