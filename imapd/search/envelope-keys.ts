// SEARCH keys answered from a message's ENVELOPE (RFC 3501 §6.4.4):
// SENTBEFORE/SENTON/SENTSINCE compare the day its Date: names, and
// FROM/TO/CC/BCC look in its parsed address lists.
import { decodeWords, type EnvelopeAddress } from '../../schema/index.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// [day-of-week ","] day month year hour ":" minute [":" second] then the zone,
// which does not matter here (RFC 5322 §3.3 with the obsolete forms of §4.3:
// two-digit years, any zone name), as Dovecot's message_date_parse reads it.
const DATE = /^(?:[a-z]{3}\s*,\s*)?(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{4}|\d{2})\s+(\d{1,2})\s*:\s*(\d\d)(?:\s*:\s*(\d\d))?(?![\d:]).*$/is;

/** Removes (possibly nested) comments, which RFC 5322 allows between any tokens; one pass. */
function withoutComments(text: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (depth > 0 && c === '\\') i++; // a quoted-pair inside a comment
    else if (c === '(') {
      if (depth++ === 0) out += ' ';
    } else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

/**
 * The day a Date: header names, as UTC-midnight epoch ms comparable with a
 * SEARCH date: the date as written, in the header's own time zone
 * ("disregarding time and timezone", RFC 3501 §6.4.4). Null when there is no
 * Date: or it is not a date; then no SENT* key matches, as in Dovecot.
 */
export function sentDay(date: string | null): number | null {
  if (!date) return null;
  const m = DATE.exec(withoutComments(date).trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[2].toLowerCase());
  const day = Number(m[1]);
  // RFC 5322 §4.3: a two-digit year below 50 is 20xx, otherwise 19xx.
  const year = m[3].length === 2 ? Number(m[3]) + (Number(m[3]) < 50 ? 2000 : 1900) : Number(m[3]);
  if (month < 0 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 60) return null;
  const at = new Date(0);
  at.setUTCFullYear(year, month, day);
  return at.getUTCDate() === day ? at.getTime() : null;
}

/** What the address parser puts where a header lacks a part (schema/mime/address.ts, after Dovecot). */
const PLACEHOLDERS = new Set(['MISSING_MAILBOX', 'MISSING_DOMAIN']);

/**
 * What FROM/TO/CC/BCC match against for one ENVELOPE address list: each
 * address as Dovecot writes it, "Display Name <local@domain>" with the name
 * decoded (or the bare addr-spec), and each group's name. A header such as
 * `<user (comment)@ (comment) example.org>` so gives "user@example.org".
 */
export function addressTexts(list: readonly EnvelopeAddress[] | null): string[] {
  const out: string[] = [];
  for (const a of list ?? []) {
    // RFC 3501 §7.4.2: a NIL host marks a group's start (mailbox = its name) or end.
    if (a.host === null) {
      if (a.mailbox) out.push(decodeWords(a.mailbox));
      continue;
    }
    const name = a.name ? decodeWords(a.name) : '';
    if (PLACEHOLDERS.has(a.host) || PLACEHOLDERS.has(a.mailbox ?? '')) {
      if (name) out.push(name);
      continue;
    }
    const spec = `${a.mailbox}@${a.host}`;
    out.push(name ? `${name} <${spec}>` : spec);
  }
  return out;
}

const WORDS = /[\p{L}\p{N}]+/gu;

/**
 * Whether `needle` (lower case) could be found in the addressTexts of a
 * header whose decoded text is `header`, without parsing its addresses.
 * Those texts are made of the header's own words (names, local parts,
 * domains), only with comments, quotes, escapes and spacing removed, so each
 * run of letters and digits in the needle must appear in the header text with
 * its backslashes removed. Lets SEARCH read ENVELOPEs of the few messages
 * that pass this and not the plain text test.
 */
export function mayMatchAddress(header: string, needle: string): boolean {
  const text = header.toLowerCase().replace(/\\/g, '');
  return (needle.match(WORDS) ?? []).every((word) => text.includes(word));
}
