// The arguments of GETMETADATA and SETMETADATA (RFC 5464 §4.2, §4.3, §5) and
// the entry lists LIST's METADATA return option takes (RFC 9590 §3). Pure
// grammar: entry names come back validated and lower-cased.
//
//   getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
//   getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
//   getmetadata-option = "MAXSIZE" SP number / "DEPTH" SP ("0" / "1" / "infinity")
//   entries = entry / "(" entry *(SP entry) ")"
//   setmetadata = "SETMETADATA" SP mailbox SP "(" entry SP value *(SP entry SP value) ")"
//   value = nstring / literal8
import type { MetadataDepth } from '../../schema/index.ts';
import type { Args } from './args.ts';
import { ParseError, type Token } from './tokens.ts';

export interface GetMetadataOptions {
  /** RFC 5464 §4.2.1: values longer than this are left out ([METADATA LONGENTRIES n]). */
  maxSize: number | null;
  depth: MetadataDepth;
}

export interface GetMetadataArgs {
  options: GetMetadataOptions;
  /** null: not valid modified UTF-7 (no mailbox has the name); "" is the server. */
  mailbox: string | null;
  entries: string[];
}

export interface SetMetadataArgs {
  mailbox: string | null;
  /** In the order given; an entry named twice keeps its last value. null removes the entry. */
  entries: Array<{ name: string; value: Buffer | null }>;
}

/** Entries one command may name (each is a store read): a bound on the work one command asks for. */
export const MAX_ENTRIES_PER_COMMAND = 256;
/** Longest entry name in bytes. */
export const MAX_ENTRY_NAME = 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One entry name (RFC 5464 §3.2): "/private/…" or "/shared/…" with at least one
 * more component, valid UTF-8, no "*" or "%" (they are LIST wildcards), no
 * control characters, no empty component ("//") and no trailing "/". Heron
 * compares names case-insensitively and keeps them lower-case.
 */
export function entryName(tok: Token | undefined): string {
  if (!tok || tok.t === 'list') throw new ParseError('expected a metadata entry name');
  const bytes = tok.t === 'atom' ? Buffer.from(tok.v, 'latin1') : tok.v;
  if (bytes.length > MAX_ENTRY_NAME) throw new ParseError('metadata entry name too long');
  let name: string;
  try {
    name = utf8.decode(bytes);
  } catch {
    throw new ParseError('metadata entry name is not valid UTF-8');
  }
  const lower = name.toLowerCase();
  if (!/^\/(?:private|shared)\/./.test(lower)) throw new ParseError('metadata entry names start with /private/ or /shared/');
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[*%\x00-\x1f\x7f]/.test(name) || name.includes('//') || name.endsWith('/')) throw new ParseError('invalid metadata entry name');
  return lower;
}

/** entries: one entry, or a parenthesised list of them. */
export function entryNames(tok: Token | undefined): string[] {
  const items = tok?.t === 'list' ? tok.v : [tok];
  if (items.length === 0) throw new ParseError('empty list of metadata entries');
  if (items.length > MAX_ENTRIES_PER_COMMAND) throw new ParseError(`more than ${MAX_ENTRIES_PER_COMMAND} metadata entries`);
  return [...new Set(items.map(entryName))];
}

const isOptionList = (tok: Token | undefined): tok is { t: 'list'; v: Token[] } =>
  tok?.t === 'list' && tok.v[0]?.t === 'atom' && /^(?:MAXSIZE|DEPTH)$/i.test(tok.v[0].v);

function parseOptions(list: Token[]): GetMetadataOptions {
  const options: GetMetadataOptions = { maxSize: null, depth: 0 };
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i].t === 'atom' ? (list[i] as { v: string }).v.toUpperCase() : '';
    const value = list[i + 1];
    const text = value?.t === 'atom' ? value.v : '';
    if (name === 'MAXSIZE') {
      if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) throw new ParseError('MAXSIZE needs a number');
      options.maxSize = Number(text);
    } else if (name === 'DEPTH') {
      const depth = text.toLowerCase();
      if (depth !== '0' && depth !== '1' && depth !== 'infinity') throw new ParseError('DEPTH is 0, 1 or infinity');
      options.depth = depth === 'infinity' ? 'infinity' : (Number(depth) as 0 | 1);
    } else {
      throw new ParseError('unknown GETMETADATA option');
    }
  }
  return options;
}

export function parseGetMetadata(args: Args): GetMetadataArgs {
  let options: GetMetadataOptions = { maxSize: null, depth: 0 };
  if (args.peek()?.t === 'list') options = parseOptions(args.list('GETMETADATA options'));
  const mailbox = args.mailboxToFind();
  let next = args.next('metadata entries');
  // Some clients put the options after the mailbox name; an options list never
  // starts with an entry name, so both places are read (Cyrus does the same).
  if (isOptionList(next) && args.more) {
    options = parseOptions(next.v);
    next = args.next('metadata entries');
  }
  const entries = entryNames(next);
  args.end();
  return { options, mailbox, entries };
}

export function parseSetMetadata(args: Args): SetMetadataArgs {
  const mailbox = args.mailboxToFind();
  const list = args.list('metadata entries and values');
  args.end();
  if (list.length === 0 || list.length % 2 !== 0) throw new ParseError('expected metadata entry and value pairs');
  if (list.length / 2 > MAX_ENTRIES_PER_COMMAND) throw new ParseError(`more than ${MAX_ENTRIES_PER_COMMAND} metadata entries`);
  const byName = new Map<string, Buffer | null>();
  for (let i = 0; i < list.length; i += 2) {
    const name = entryName(list[i]);
    byName.delete(name);
    byName.set(name, metadataValue(list[i + 1]));
  }
  return { mailbox, entries: [...byName].map(([name, value]) => ({ name, value })) };
}

/**
 * value = nstring (RFC 5464 §5): NIL removes the entry. literal8 (binary
 * values) is not read by Heron's parser, and a plain literal cannot carry NUL
 * (RFC 3501 §4.3), so every stored value is free of NUL.
 */
function metadataValue(tok: Token): Buffer | null {
  if (tok.t === 'atom' && tok.v.toUpperCase() === 'NIL') return null;
  if (tok.t !== 'string') throw new ParseError('a metadata value is a string or NIL');
  if (tok.v.includes(0)) throw new ParseError('a metadata value cannot hold NUL');
  return tok.v;
}
