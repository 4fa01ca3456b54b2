// The charsets search strings may be in (RFC 3501 §6.4.4, RFC 5256 §3).
import { SUPPORTED_CHARSETS } from '../parser/search-keys.ts';
import { ImapResponse } from '../response.ts';

/** Refuses a charset Heron cannot read: a tagged NO [BADCHARSET (…)], not BAD (RFC 5256 §3). */
export function requireCharset(charset: string | null): void {
  if (charset !== null && !SUPPORTED_CHARSETS.includes(charset)) {
    throw new ImapResponse('NO', 'Unsupported charset', `BADCHARSET (${SUPPORTED_CHARSETS.join(' ')})`);
  }
}
