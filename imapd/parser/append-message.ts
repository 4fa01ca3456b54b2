// RFC 3502 §6.3.11 / RFC 4466 §2.1 append-message: [flag-list] [date-time]
// append-data, where append-data is a literal, a literal8 (RFC 3516 §4.1: the
// bytes kept exactly, NUL included) or (RFC 4469 §5) CATENATE with TEXT literals
// and URLs. APPEND takes one or more (MULTIAPPEND), REPLACE exactly one.
import { type Args, flagsFrom, parseDateTime } from './args.ts';
import { ParseError, type Token } from './tokens.ts';
import { utf8AppendData } from './utf8-append.ts';

export interface AppendMessageArgs {
  flags: string[];
  internalDate: number | undefined;
  raw: Buffer;
}

export type CatenatePart = { kind: 'text'; bytes: Buffer } | { kind: 'url'; url: string };

/** RFC 4469: a message built from literals and URL parts, assembled by the command. */
export interface CatenateMessageArgs {
  flags: string[];
  internalDate: number | undefined;
  catenate: CatenatePart[];
}

export type AppendSource = AppendMessageArgs | CatenateMessageArgs;

/** Most parts in one CATENATE (the framer caps the literals among them too). */
const MAX_CATENATE_PARTS = 64;

/** RFC 4469 §5: "(" cat-part *(SP cat-part) ")", cat-part = "TEXT" SP literal / "URL" SP astring. */
function parseCatenate(items: Token[]): CatenatePart[] {
  if (items.length === 0 || items.length % 2 !== 0) throw new ParseError('invalid CATENATE parts');
  if (items.length / 2 > MAX_CATENATE_PARTS) throw new ParseError('too many CATENATE parts');
  const parts: CatenatePart[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const [kind, value] = [items[i], items[i + 1]];
    const name = kind.t === 'atom' ? kind.v.toUpperCase() : '';
    // TEXT takes a literal8 too where BINARY is offered (RFC 3516 §4.1 extends append-data's literals).
    if (name === 'TEXT' && (value.t === 'literal8' || (value.t === 'string' && value.literal))) parts.push({ kind: 'text', bytes: value.v });
    else if (name === 'URL' && (value.t === 'string' || value.t === 'atom')) parts.push({ kind: 'url', url: value.t === 'atom' ? value.v : value.v.toString('latin1') });
    else throw new ParseError('invalid CATENATE part');
  }
  return parts;
}

export function parseAppendMessage(args: Args): AppendSource {
  let flags: string[] = [];
  let internalDate: number | undefined;
  let tok = args.next('message');
  if (tok.t === 'list') {
    flags = flagsFrom(tok);
    tok = args.next('message');
  }
  if (tok.t === 'string' && !tok.literal) {
    internalDate = parseDateTime(tok.v.toString('latin1'));
    tok = args.next('message');
  }
  // RFC 6855 §4: UTF8 (literal8) carries the message as a literal8 does.
  const utf8 = utf8AppendData(args, tok);
  if (utf8) tok = { t: 'literal8', v: utf8 };
  if (flags.some((f) => f.toLowerCase() === '\\recent')) throw new ParseError('\\Recent cannot be set');
  if (tok.t === 'atom' && tok.v.toUpperCase() === 'CATENATE') return { flags, internalDate, catenate: parseCatenate(args.list('CATENATE parts')) };
  if (tok.t !== 'literal8' && (tok.t !== 'string' || !tok.literal)) throw new ParseError('expected message literal');
  return { flags, internalDate, raw: tok.v };
}
