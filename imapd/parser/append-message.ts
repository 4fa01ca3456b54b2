// RFC 3502 §6.3.11 / RFC 4466 §2.1 append-message: [flag-list] [date-time]
// literal. APPEND takes one or more (MULTIAPPEND), REPLACE exactly one.
import { type Args, flagsFrom, parseDateTime } from './args.ts';
import { ParseError } from './tokens.ts';
import { utf8AppendData } from './utf8-append.ts';

export interface AppendMessageArgs {
  flags: string[];
  internalDate: number | undefined;
  raw: Buffer;
}

export function parseAppendMessage(args: Args): AppendMessageArgs {
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
  // RFC 6855 §4: UTF8 (literal8) carries the message as a literal does.
  const utf8 = utf8AppendData(args, tok);
  if (utf8) tok = { t: 'string', v: utf8, literal: true };
  if (tok.t !== 'string' || !tok.literal) throw new ParseError('expected message literal');
  if (flags.some((f) => f.toLowerCase() === '\\recent')) throw new ParseError('\\Recent cannot be set');
  return { flags, internalDate, raw: tok.v };
}
