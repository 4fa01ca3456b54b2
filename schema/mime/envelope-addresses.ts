// ENVELOPE address lists (RFC 3501 §7.4.2) as the plain {name, address} pairs
// REST clients want: display names decoded (RFC 2047), group markers left out.
import { decodeWords } from './index-message.ts';
import type { EnvelopeAddress } from './types.ts';

/** What the address parser puts where a header lacks a part (./address.ts, after Dovecot). */
const PLACEHOLDERS = new Set(['MISSING_MAILBOX', 'MISSING_DOMAIN']);

/** Each address of the list; one missing its local part or domain has address "". */
export function envelopeAddresses(list: readonly EnvelopeAddress[] | null): Array<{ name: string; address: string }> {
  const out: Array<{ name: string; address: string }> = [];
  for (const a of list ?? []) {
    if (a.host === null) continue; // a group's start (mailbox is its name) or end
    const missing = PLACEHOLDERS.has(a.host) || PLACEHOLDERS.has(a.mailbox ?? '');
    out.push({ name: a.name ? decodeWords(a.name).trim() : '', address: missing ? '' : `${a.mailbox}@${a.host}` });
  }
  return out;
}
