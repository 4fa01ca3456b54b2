// RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")", the APPEND form for a
// message whose header fields carry UTF-8.
import type { Args } from './args.ts';
import { ParseError, type Token } from './tokens.ts';

/** The message bytes when `tok` starts UTF8 (literal8) (the list is read from `args`); else null. */
export function utf8AppendData(args: Args, tok: Token): Buffer | null {
  if (tok.t !== 'atom' || tok.v.toUpperCase() !== 'UTF8') return null;
  const inner = args.list('UTF8 (literal8)');
  // Part of UTF8=ACCEPT; IMAP4rev2 takes UTF-8 header fields in a plain literal, and the form too.
  if (!args.utf8Names) throw new ParseError('UTF8 needs ENABLE UTF8=ACCEPT');
  const [first] = inner;
  if (inner.length === 1 && first.t === 'literal8') return first.v;
  throw new ParseError('UTF8 needs a literal8: UTF8 (~{n})');
}
