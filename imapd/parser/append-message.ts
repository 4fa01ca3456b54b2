// RFC 3502 §6.3.11 / RFC 4466 §2.1 append-message: [flag-list] [date-time]
// literal, or literal8 (RFC 3516 §4.1: the bytes kept exactly, NUL included).
// APPEND takes one or more (MULTIAPPEND), REPLACE exactly one.
import { type Args, flagsFrom, parseDateTime } from './args.ts';
import { ParseError } from './tokens.ts';

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
  if (tok.t !== 'literal8' && (tok.t !== 'string' || !tok.literal)) throw new ParseError('expected message literal');
  if (flags.some((f) => f.toLowerCase() === '\\recent')) throw new ParseError('\\Recent cannot be set');
  return { flags, internalDate, raw: tok.v };
}
