// RFC 5322 §3.4 address lists parsed into RFC 3501 §7.4.2 address structures,
// following Dovecot (the project's reference) where the input is broken:
// a missing local part or domain becomes "MISSING_MAILBOX"/"MISSING_DOMAIN"
// (a NIL host would read as group syntax), a trailing comment names an
// address without a display name, and parsing stops at the first syntax
// error, keeping what came before it. Strings stay raw (encoded words are
// not decoded).
import type { EnvelopeAddress } from './types.ts';

/** `gap`: whitespace or a comment came before the token. */
type Token = { kind: 'word' | 'quoted' | 'literal' | 'special' | 'comment'; text: string; gap: boolean };

const SPECIALS = '<>@,;:';
const MISSING_MAILBOX = 'MISSING_MAILBOX';
const MISSING_DOMAIN = 'MISSING_DOMAIN';

function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let gap = false;
  const push = (kind: Token['kind'], text: string) => {
    tokens.push({ kind, text, gap });
    gap = kind === 'comment';
  };
  while (i < value.length) {
    const c = value[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      gap = true;
    } else if (c === '(') {
      let depth = 0;
      let text = '';
      while (i < value.length) {
        const d = value[i++];
        if (d === '\\' && i < value.length) {
          text += value[i++];
          continue;
        }
        if (d === '(' && depth++ === 0) continue;
        if (d === ')' && --depth === 0) break;
        text += d;
      }
      push('comment', text.trim());
    } else if (c === '"') {
      let text = '';
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < value.length) i++;
        text += value[i++];
      }
      i++;
      push('quoted', text);
    } else if (c === '[') {
      const end = value.indexOf(']', i);
      const stop = end === -1 ? value.length : end + 1;
      push('literal', value.slice(i, stop));
      i = stop;
    } else if (SPECIALS.includes(c) || c === ')') {
      // A ")" outside a comment is a syntax error for the parser; as a word it
      // would be empty and the loop would never advance.
      push('special', c);
      i++;
    } else {
      const start = i;
      while (i < value.length && !' \t\r\n()"[<>@,;:'.includes(value[i])) i++;
      push('word', value.slice(start, i));
    }
  }
  return tokens;
}

class SyntaxError_ extends Error {}

class Parser {
  private i = 0;
  private lastComment: string | null = null;
  readonly out: EnvelopeAddress[] = [];
  constructor(private readonly tokens: Token[]) {}

  /** The next non-comment token, remembering the last comment skipped. */
  private peek(): Token | undefined {
    while (this.tokens[this.i]?.kind === 'comment') this.lastComment = this.tokens[this.i++].text;
    return this.tokens[this.i];
  }
  private isSpecial(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'special' && t.text === text;
  }
  private expect(text: string): void {
    if (!this.isSpecial(text)) throw new SyntaxError_(`expected ${text}`);
    this.i++;
  }
  /** A phrase: words and quoted strings joined by single spaces; null when none. */
  private phrase(): string | null {
    const words: string[] = [];
    for (let t = this.peek(); t && (t.kind === 'word' || t.kind === 'quoted'); t = this.peek()) {
      words.push(t.text);
      this.i++;
    }
    this.phraseWords = words.length;
    return words.length ? words.join(' ') : null;
  }
  private phraseWords = 0;
  /** Adjacent tokens of the given kinds (no whitespace between them), concatenated. */
  private adjacent(kinds: Token['kind'][]): string {
    let text = '';
    for (let t = this.peek(); t && kinds.includes(t.kind) && (text === '' || !t.gap); t = this.peek()) {
      text += t.text;
      this.i++;
    }
    return text;
  }
  /** dot-atom or domain literal; '' when absent. */
  private domain(): string {
    return this.adjacent(['word', 'literal']);
  }
  private localPart(): string {
    return this.adjacent(['word', 'quoted']);
  }
  /** addr-spec after its local part is consumed: "@domain" or nothing. */
  private address(local: string): { mailbox: string; host: string } {
    let host = '';
    if (this.isSpecial('@')) {
      this.i++;
      host = this.domain();
    }
    return { mailbox: local || MISSING_MAILBOX, host: host || MISSING_DOMAIN };
  }
  private push(name: string | null, adl: string | null, mailbox: string | null, host: string | null): void {
    this.out.push({ name: name === '' ? null : name, adl, mailbox, host });
  }
  /** name-addr or addr-spec. */
  private mailbox(): void {
    const start = this.i;
    this.lastComment = null;
    const name = this.phrase();
    if (this.isSpecial('<')) {
      this.i++;
      let adl: string | null = null;
      if (this.isSpecial('@')) {
        // obs-route: "@a,@b:" before the address.
        adl = '';
        while (this.isSpecial('@') || this.isSpecial(',')) {
          adl += this.tokens[this.i++].text;
          if (adl.endsWith('@')) adl += this.domain();
        }
        this.expect(':');
      }
      const { mailbox, host } = this.address(this.localPart());
      this.expect('>');
      this.push(name, adl, mailbox, host);
      return;
    }
    const words = this.phraseWords;
    this.i = start;
    this.lastComment = null;
    const local = this.localPart();
    const hasAt = this.isSpecial('@');
    if (!local && !hasAt) throw new SyntaxError_('no address');
    if (!hasAt && words > 1) {
      // A bare phrase ("foo bar"): Dovecot keeps it as the name of a missing address.
      this.push(name, null, MISSING_MAILBOX, MISSING_DOMAIN);
      return;
    }
    const { mailbox, host } = this.address(local);
    this.peek(); // picks up a trailing comment
    this.push(this.lastComment, null, mailbox, host);
  }
  private endOfEntry(): void {
    const t = this.peek();
    if (t === undefined) return;
    if (t.kind === 'special' && (t.text === ',' || t.text === ';')) return;
    throw new SyntaxError_('garbage after address');
  }
  list(): void {
    try {
      for (;;) {
        while (this.isSpecial(',')) this.i++;
        if (this.peek() === undefined) return;
        const start = this.i;
        const name = this.phrase();
        if (name !== null && this.isSpecial(':')) {
          this.i++;
          this.push(null, null, name, null); // group start: mailbox = group name, host NIL
          for (;;) {
            while (this.isSpecial(',')) this.i++;
            const t = this.peek();
            if (t === undefined || (t.kind === 'special' && t.text === ';')) break;
            this.mailbox();
            this.endOfEntry();
          }
          if (this.isSpecial(';')) this.i++;
          this.push(null, null, null, null); // group end
        } else {
          this.i = start;
          this.mailbox();
        }
        this.endOfEntry();
        if (this.isSpecial(';')) throw new SyntaxError_('stray ;');
      }
    } catch (err) {
      if (!(err instanceof SyntaxError_)) throw err;
    }
  }
}

/** Parses an address header value; null when it holds no address. */
export function parseAddressList(value: string | null): EnvelopeAddress[] | null {
  if (value === null) return null;
  const parser = new Parser(tokenize(value));
  parser.list();
  return parser.out.length ? parser.out : null;
}
