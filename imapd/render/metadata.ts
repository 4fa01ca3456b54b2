// The METADATA response (RFC 5464 §4.4.1): a mailbox name ("" for the server)
// and its entries with their values, NIL for an entry that has none.
import { mailboxName } from './mailbox-name.ts';
import { astring, literal, string } from './quote.ts';

export interface EntryValue {
  name: string;
  /** null: the entry has no value (NIL). */
  value: Buffer | null;
}

const SEVEN_BIT = /^[\x01-\x7f]*$/;

/**
 * A value as an nstring: quoted when it can be, else a literal of its exact
 * bytes; one holding NUL as a literal8 (RFC 5464 §5 value = nstring / literal8,
 * RFC 3516 §4.4), since a literal cannot carry NUL.
 */
function nstringOf(value: Buffer | null): string {
  if (value === null) return 'NIL';
  if (value.includes(0)) return `~{${value.length}}\r\n${value.toString('latin1')}`;
  const text = value.toString('latin1');
  // string() quotes 7-bit text without CR/LF and writes any other as a literal;
  // 8-bit bytes go out as they are (string() would encode them as UTF-8 again).
  return SEVEN_BIT.test(text) ? string(text) : literal(value);
}

/** "METADATA mailbox (entry value …)" for a non-empty list of entries; `utf8`: the session's names are UTF-8 (render/mailbox-name.ts). */
export function metadataResponse(mailbox: string, entries: readonly EntryValue[], utf8 = false): string {
  return `METADATA ${mailboxName(mailbox, utf8)} (${entries.map((e) => `${astring(e.name)} ${nstringOf(e.value)}`).join(' ')})`;
}
