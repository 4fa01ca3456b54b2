// SEARCH criteria (RFC 3501 §6.4.4, MODSEQ from RFC 7162 §3.1.5, OLDER/YOUNGER
// from RFC 5032, "$" from RFC 5182, EMAILID and THREADID from RFC 8474 §6,
// SAVEDBEFORE/SAVEDON/SAVEDSINCE/SAVEDATESUPPORTED from RFC 8514 §4) → a typed
// tree. A new key is a member of SearchKey, a case in KeyReader.key() and a
// case in search/evaluate.ts matches().
import { type Args, parseDate, parseSequenceSet, SAVED_RESULT, type SequenceSet } from './args.ts';
import { ParseError, type Token } from './tokens.ts';

export type SearchKey =
  | { k: 'all' }
  | { k: 'flag'; flag: string; present: boolean }
  | { k: 'recent'; present: boolean }
  | { k: 'new' }
  | { k: 'seq'; set: SequenceSet }
  | { k: 'uid'; set: SequenceSet }
  | { k: 'date'; sent: boolean; op: 'before' | 'on' | 'since'; day: number }
  | { k: 'size'; larger: boolean; n: number }
  | { k: 'column'; column: 'from' | 'to' | 'cc' | 'bcc' | 'subject'; value: string }
  | { k: 'header'; field: string; value: string }
  | { k: 'text'; field: 'body' | 'text'; value: string }
  | { k: 'modseq'; n: number }
  /** RFC 5182 §2.1: "$" (or "UID $"), the messages of the last saved result. */
  | { k: 'saved' }
  /** RFC 5032 §2: internal date at least (YOUNGER) or at most (OLDER) `seconds` before now. */
  | { k: 'within'; older: boolean; seconds: number }
  | { k: 'objectid'; kind: 'email' | 'thread'; id: string }
  | { k: 'savedate'; op: 'before' | 'on' | 'since'; day: number }
  | { k: 'not'; key: SearchKey }
  | { k: 'or'; a: SearchKey; b: SearchKey }
  | { k: 'and'; keys: SearchKey[] };

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const DATE_KEYS: Record<string, [boolean, 'before' | 'on' | 'since']> = {
  BEFORE: [false, 'before'],
  ON: [false, 'on'],
  SINCE: [false, 'since'],
  SENTBEFORE: [true, 'before'],
  SENTON: [true, 'on'],
  SENTSINCE: [true, 'since'],
};
const SAVEDATE_KEYS: Record<string, 'before' | 'on' | 'since'> = { SAVEDBEFORE: 'before', SAVEDON: 'on', SAVEDSINCE: 'since' };
const COLUMNS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
const MAX_DEPTH = 64;

class KeyReader {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly decode: (b: Buffer) => string,
  ) {}
  get more(): boolean {
    return this.i < this.tokens.length;
  }
  next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new ParseError(`missing ${what}`);
    return t;
  }
  atom(what: string): string {
    const t = this.next(what);
    if (t.t !== 'atom') throw new ParseError(`expected ${what}`);
    return t.v;
  }
  str(what: string): string {
    const t = this.next(what);
    if (t.t === 'list' || t.t === 'literal8') throw new ParseError(`expected ${what}`);
    return t.t === 'atom' ? t.v : this.decode(t.v);
  }
  number(what: string): number {
    const v = this.atom(what);
    if (!/^\d{1,15}$/.test(v)) throw new ParseError(`expected ${what}`);
    return Number(v);
  }

  key(depth: number): SearchKey {
    if (depth > MAX_DEPTH) throw new ParseError('search criteria too deeply nested');
    const tok = this.next('search key');
    if (tok.t === 'list') {
      const inner = new KeyReader(tok.v, this.decode);
      const keys: SearchKey[] = [];
      while (inner.more) keys.push(inner.key(depth + 1));
      if (keys.length === 0) throw new ParseError('empty search key list');
      return keys.length === 1 ? keys[0] : { k: 'and', keys };
    }
    if (tok.t !== 'atom') throw new ParseError('expected search key');
    const name = tok.v.toUpperCase();
    if (FLAG_KEYS[name]) return { k: 'flag', flag: FLAG_KEYS[name][0], present: FLAG_KEYS[name][1] };
    if (DATE_KEYS[name]) {
      const [sent, op] = DATE_KEYS[name];
      return { k: 'date', sent, op, day: parseDate(this.str('date')) };
    }
    if (COLUMNS.has(name)) return { k: 'column', column: name.toLowerCase() as 'from', value: this.str('search string') };
    if (SAVEDATE_KEYS[name]) return { k: 'savedate', op: SAVEDATE_KEYS[name], day: parseDate(this.str('date')) };
    switch (name) {
      case 'ALL':
        return { k: 'all' };
      case 'NEW':
        return { k: 'new' };
      case 'OLD':
        return { k: 'recent', present: false };
      case 'RECENT':
        return { k: 'recent', present: true };
      case 'KEYWORD':
      case 'UNKEYWORD':
        return { k: 'flag', flag: this.atom('keyword'), present: name === 'KEYWORD' };
      case 'LARGER':
      case 'SMALLER':
        return { k: 'size', larger: name === 'LARGER', n: this.number('size') };
      case 'HEADER': {
        const field = this.str('header field name');
        return { k: 'header', field: field.toLowerCase(), value: this.str('search string') };
      }
      case 'BODY':
      case 'TEXT':
        return { k: 'text', field: name === 'BODY' ? 'body' : 'text', value: this.str('search string') };
      case 'UID': {
        const set = parseSequenceSet(this.atom('UID set'));
        return set === SAVED_RESULT ? { k: 'saved' } : { k: 'uid', set };
      }
      case '$':
        return { k: 'saved' };
      case 'OLDER':
      case 'YOUNGER': {
        // RFC 5032 §3: nz-number seconds.
        const seconds = this.atom('interval');
        if (!/^[1-9]\d{0,9}$/.test(seconds) || Number(seconds) > 0xffffffff) throw new ParseError('expected a number of seconds');
        return { k: 'within', older: name === 'OLDER', seconds: Number(seconds) };
      }
      case 'NOT':
        return { k: 'not', key: this.key(depth + 1) };
      case 'OR':
        return { k: 'or', a: this.key(depth + 1), b: this.key(depth + 1) };
      case 'EMAILID':
      case 'THREADID':
        return { k: 'objectid', kind: name === 'EMAILID' ? 'email' : 'thread', id: this.atom('object id') };
      // RFC 8514 §4: every Heron mailbox keeps the save date, so this matches every message.
      case 'SAVEDATESUPPORTED':
        return { k: 'all' };
      case 'MODSEQ': {
        // RFC 7162 §3.1.5: MODSEQ [entry-name entry-type-req] mod-sequence-valzer.
        const first = this.next('mod-sequence');
        if (first.t === 'string' || (first.t === 'atom' && !/^\d+$/.test(first.v))) {
          this.atom('entry type');
          return { k: 'modseq', n: this.number('mod-sequence') };
        }
        if (first.t !== 'atom') throw new ParseError('expected mod-sequence');
        return { k: 'modseq', n: Number(first.v) };
      }
      default:
        if (/^[\d*]/.test(name)) return { k: 'seq', set: parseSequenceSet(tok.v) };
        throw new ParseError(`unknown search key ${tok.v.slice(0, 30)}`);
    }
  }
}

export interface SearchCommand {
  charset: string | null;
  key: SearchKey;
}

export const SUPPORTED_CHARSETS = ['UTF-8', 'US-ASCII'];

export function parseSearch(args: Args): SearchCommand {
  const tokens: Token[] = [];
  while (args.more) tokens.push(args.next('search key'));
  let charset: string | null = null;
  if (tokens[0]?.t === 'atom' && tokens[0].v.toUpperCase() === 'CHARSET') {
    const cs = tokens[1];
    if (!cs || cs.t === 'list' || cs.t === 'literal8') throw new ParseError('missing charset');
    charset = (cs.t === 'atom' ? cs.v : cs.v.toString('latin1')).toUpperCase();
    tokens.splice(0, 2);
  }
  return { charset, key: parseCriteria(tokens, charset) };
}

/** Search criteria, 1*search-key (RFC 3501 §9), whose strings are in `charset`; SORT and THREAD use it too. */
export function parseCriteria(tokens: Token[], charset: string | null): SearchKey {
  const reader = new KeyReader(tokens, (b) => b.toString(charset === 'US-ASCII' ? 'latin1' : 'utf8'));
  const keys: SearchKey[] = [];
  while (reader.more) keys.push(reader.key(0));
  if (keys.length === 0) throw new ParseError('missing search criteria');
  return keys.length === 1 ? keys[0] : { k: 'and', keys };
}

export function usesModseq(key: SearchKey): boolean {
  if (key.k === 'modseq') return true;
  if (key.k === 'not') return usesModseq(key.key);
  if (key.k === 'or') return usesModseq(key.a) || usesModseq(key.b);
  if (key.k === 'and') return key.keys.some(usesModseq);
  return false;
}
