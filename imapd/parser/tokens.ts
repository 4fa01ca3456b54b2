// Frame → tokens: atoms, strings (quoted or literal), literal8 (RFC 3516
// `~{n}`) and parenthesised lists (RFC 3501 §9). A FETCH section such as BODY[HEADER.FIELDS (A B)]<0.10> stays
// one atom; its inside is parsed by the command. Elsewhere "[" is an ordinary
// ATOM-CHAR (only "]" is a resp-special). Pure, no I/O.
import type { Frame } from '../framing/framer.ts';

export type Token =
  | { t: 'atom'; v: string }
  | { t: 'string'; v: Buffer; literal: boolean }
  | { t: 'list'; v: Token[] }
  /**
   * RFC 3516 §4.4 literal8 `~{n}` (RFC 4466 §3: `~{n+}` under LITERAL+): any
   * octets, NUL included. Its own kind, so only a command that asks for one
   * (APPEND, RFC 3516 §4.1) takes it; anywhere a string is expected it is BAD.
   */
  | { t: 'literal8'; v: Buffer };

export class ParseError extends Error {}

const MAX_DEPTH = 32;
const ATOM_STOP = new Set([' ', '(', ')', '{', '"', '\r', '\n']);
/** RFC 3501 §9 fetch-att: only "BODY" and "BODY.PEEK" are followed by a section, which may hold spaces and lists. */
const SECTION_OWNER = /^BODY(?:\.PEEK)?$/i;

/** Reads the tokens of a frame's text from `start` to the end. */
export function tokenize(frame: Frame, startSegment: number, startOffset: number): Token[] {
  let seg = startSegment;
  let pos = startOffset;
  let text = frame.segments[seg];
  const root: Token[] = [];
  const stack: Token[][] = [root];

  const push = (tok: Token) => stack[stack.length - 1].push(tok);
  while (true) {
    if (pos >= text.length) {
      if (stack.length > 1) throw new ParseError('missing )');
      return root;
    }
    const ch = text[pos];
    if (ch === ' ') {
      pos++;
      continue;
    }
    if (ch === '(') {
      if (stack.length > MAX_DEPTH) throw new ParseError('too deeply nested');
      const list: Token[] = [];
      push({ t: 'list', v: list });
      stack.push(list);
      pos++;
      continue;
    }
    if (ch === ')') {
      if (stack.length === 1) throw new ParseError('unexpected )');
      stack.pop();
      pos++;
      continue;
    }
    if (ch === '"') {
      let out = '';
      pos++;
      for (;;) {
        if (pos >= text.length) throw new ParseError('unterminated quoted string');
        const c = text[pos];
        if (c === '\\') {
          const next = text[pos + 1];
          if (next !== '\\' && next !== '"') throw new ParseError('invalid escape in quoted string');
          out += next;
          pos += 2;
          continue;
        }
        if (c === '"') break;
        out += c;
        pos++;
      }
      pos++;
      push({ t: 'string', v: Buffer.from(out, 'latin1'), literal: false });
      continue;
    }
    const literal8 = ch === '~' && text[pos + 1] === '{';
    if (ch === '{' || literal8) {
      const close = text.indexOf('}', pos);
      if (close !== text.length - 1 || seg >= frame.literals.length) throw new ParseError('misplaced literal');
      push(literal8 ? { t: 'literal8', v: frame.literals[seg] } : { t: 'string', v: frame.literals[seg], literal: true });
      seg++;
      text = frame.segments[seg];
      pos = 0;
      continue;
    }
    // Atom; after BODY or BODY.PEEK, a [section] and <partial>.
    let start = pos;
    let depth = 0;
    while (pos < text.length) {
      const c = text[pos];
      if (c === '[' && (depth > 0 || SECTION_OWNER.test(text.slice(start, pos)))) depth++;
      else if (c === ']' && depth > 0) depth--;
      else if (depth === 0 && ATOM_STOP.has(c)) break;
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) throw new ParseError('invalid character');
      pos++;
    }
    if (depth > 0) throw new ParseError('missing ]');
    if (pos === start) throw new ParseError('unexpected character');
    push({ t: 'atom', v: text.slice(start, pos) });
    start = pos;
  }
}
