// Typed readers over a command's tokens, used by each command's parse().
import { decodeMailboxName, Utf7Error } from '../utf7.ts';
import { ParseError, type Token } from './tokens.ts';

/** One range of a sequence set; `*` is stored as Infinity (RFC 3501 §9 seq-number). */
export interface SeqRange {
  from: number;
  to: number;
}
export type SequenceSet = SeqRange[];

/**
 * RFC 5182 §2.1 "$": the last saved search result. It has no ranges of its own
 * (iterated, it names nothing); the session resolves it (Session.resolve).
 */
export const SAVED_RESULT: SequenceSet = Object.freeze([]) as unknown as SequenceSet;

export function parseSequenceSet(text: string): SequenceSet {
  if (text === '$') return SAVED_RESULT;
  const ranges: SequenceSet = [];
  for (const part of text.split(',')) {
    const m = /^(\d+|\*)(?::(\d+|\*))?$/.exec(part);
    if (!m) throw new ParseError('invalid sequence set');
    const num = (s: string): number => {
      if (s === '*') return Infinity;
      const n = Number(s);
      if (n < 1 || n > 0xffffffff) throw new ParseError('invalid sequence number');
      return n;
    };
    const a = num(m[1]);
    const b = m[2] === undefined ? a : num(m[2]);
    ranges.push({ from: Math.min(a, b), to: Math.max(a, b) });
  }
  return ranges;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** date (RFC 3501 §9): d-Mon-yyyy, as the UTC midnight epoch ms. */
export function parseDate(text: string): number {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  const month = m ? MONTHS.findIndex((x) => x.toLowerCase() === m[2].toLowerCase()) : -1;
  if (!m || month < 0) throw new ParseError('invalid date');
  const day = Number(m[1]);
  const t = Date.UTC(Number(m[3]), month, day);
  if (new Date(t).getUTCDate() !== day) throw new ParseError('invalid date');
  return t;
}

/** date-time (RFC 3501 §9): "dd-Mon-yyyy hh:mm:ss +zzzz" as epoch ms. */
export function parseDateTime(text: string): number {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(text);
  if (!m) throw new ParseError('invalid date-time');
  const day = parseDate(`${m[1]}-${m[2]}-${m[3]}`);
  const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hh > 23 || mm > 59 || ss > 60) throw new ParseError('invalid date-time');
  const zone = (Number(m[8]) * 60 + Number(m[9])) * (m[7] === '-' ? -1 : 1);
  return day + ((hh * 60 + mm) * 60 + ss) * 1000 - zone * 60_000;
}

export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getUTCDate()).padStart(2, ' ')}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const SYSTEM = new Set(['\\answered', '\\flagged', '\\deleted', '\\seen', '\\draft', '\\recent']);
const FLAG = /^\\?[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|~]+$/;

export class Args {
  private i = 0;
  /** `utf8Names`: mailbox names are UTF-8, not modified UTF-7 (RFC 9051 §5.1, RFC 6855 §3: after ENABLE IMAP4rev2 or UTF8=ACCEPT). */
  constructor(
    private readonly tokens: Token[],
    readonly utf8Names = false,
  ) {}

  get more(): boolean {
    return this.i < this.tokens.length;
  }
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(what: string): Token {
    const tok = this.tokens[this.i++];
    if (!tok) throw new ParseError(`missing ${what}`);
    return tok;
  }
  end(): void {
    if (this.more) throw new ParseError('unexpected arguments');
  }
  atom(what: string): string {
    const tok = this.next(what);
    if (tok.t !== 'atom') throw new ParseError(`expected ${what}`);
    return tok.v;
  }
  /** astring: atom or string, as UTF-8 text. */
  astring(what: string): string {
    const tok = this.next(what);
    // RFC 3516 §4.4: literal8 is no astring.
    if (tok.t === 'list' || tok.t === 'literal8') throw new ParseError(`expected ${what}`);
    return tok.t === 'atom' ? tok.v : tok.v.toString('utf8');
  }
  /** Raw astring bytes (passwords may be any octets). */
  astringBytes(what: string): Buffer {
    const tok = this.next(what);
    if (tok.t === 'list' || tok.t === 'literal8') throw new ParseError(`expected ${what}`);
    return tok.t === 'atom' ? Buffer.from(tok.v, 'latin1') : tok.v;
  }
  /** A mailbox name on the wire (modified UTF-7, or UTF-8 when utf8Names) as Unicode. */
  mailbox(): string {
    const name = this.mailboxToFind();
    if (name === null) throw new ParseError(`mailbox name is not valid ${this.utf8Names ? 'UTF-8' : 'modified UTF-7'}`);
    return name;
  }
  /**
   * A name to look up rather than create. One that is not valid modified
   * UTF-7 is still a mailbox argument (RFC 3501 §9: any astring), only a name
   * no mailbox has: null, so the command answers NO (as Dovecot does), not BAD.
   */
  mailboxToFind(): string | null {
    const tok = this.next('mailbox');
    if (tok.t === 'list' || tok.t === 'literal8') throw new ParseError('expected mailbox');
    // RFC 6855 §3: once UTF-8 is on, names are UTF-8 as they stand ("&" is itself).
    if (this.utf8Names) return utf8Text(tok.t === 'atom' ? Buffer.from(tok.v, 'latin1') : tok.v);
    try {
      return decodeMailboxName(tok.t === 'atom' ? tok.v : tok.v.toString('latin1'));
    } catch (err) {
      if (err instanceof Utf7Error) return null;
      throw err;
    }
  }
  list(what: string): Token[] {
    const tok = this.next(what);
    if (tok.t !== 'list') throw new ParseError(`expected ${what}`);
    return tok.v;
  }
  sequenceSet(): SequenceSet {
    return parseSequenceSet(this.atom('sequence set'));
  }
  number(what: string): number {
    const v = this.atom(what);
    if (!/^\d{1,20}$/.test(v)) throw new ParseError(`expected ${what}`);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new ParseError(`${what} out of range`);
    return n;
  }
}

/** Bytes as UTF-8 text; null when they are not valid UTF-8. */
function utf8Text(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : null;
}

/** A flag list "(\Seen foo)" or a single flag. */
export function flagsFrom(tok: Token): string[] {
  const items = tok.t === 'list' ? tok.v : [tok];
  return items.map((f) => {
    if (f.t !== 'atom' || !FLAG.test(f.v)) throw new ParseError('invalid flag');
    // RFC 3501 §2.3.2: a server does not accept system flags it does not define.
    if (f.v.startsWith('\\') && !SYSTEM.has(f.v.toLowerCase())) throw new ParseError(`unknown system flag ${f.v}`);
    return f.v;
  });
}
