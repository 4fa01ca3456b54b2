// The start of every command: tag SP command-name [SP "UID" name] (RFC 3501 §9).
import type { Frame } from '../framing/framer.ts';
import { ParseError, type Token, tokenize } from './tokens.ts';

export interface CommandLine {
  tag: string;
  /** Upper-case command name, e.g. "FETCH"; "UID FETCH" has uid = true. */
  name: string;
  uid: boolean;
  args: Token[];
}

const TAG = /^[\x21\x23-\x27\x2a\x2c-\x5b\x5d-\x7a\x7c\x7e]+$/; // ASTRING-CHAR minus "+"
const NAME = /^[A-Za-z][A-Za-z0-9.-]*$/;

/** The tag of a line if it has a usable one (so errors can be tagged). */
export function peekTag(frame: Frame): string | null {
  const first = frame.segments[0];
  const sp = first.indexOf(' ');
  const tag = sp < 0 ? first : first.slice(0, sp);
  return TAG.test(tag) ? tag : null;
}

export function parseCommandLine(frame: Frame): CommandLine {
  const first = frame.segments[0];
  const tag = peekTag(frame);
  if (!tag) throw new ParseError('invalid tag');
  let pos = tag.length;
  if (first[pos] !== ' ') throw new ParseError('missing command');
  pos++;
  const readName = (): string => {
    let end = first.indexOf(' ', pos);
    if (end < 0) end = first.length;
    const name = first.slice(pos, end);
    if (!NAME.test(name) || name.length > 32) throw new ParseError('invalid command name');
    pos = end;
    return name.toUpperCase();
  };
  let name = readName();
  let uid = false;
  if (name === 'UID') {
    if (first[pos] !== ' ') throw new ParseError('missing UID command');
    pos++;
    uid = true;
    name = readName();
  }
  if (pos < first.length && first[pos] !== ' ') throw new ParseError('invalid command name');
  return { tag, name, uid, args: tokenize(frame, 0, pos) };
}
