// Parses MIME header values such as Content-Type and Content-Disposition into
// the value and its parameters exactly as written (RFC 2045 §5.1, RFC 2183),
// for BODYSTRUCTURE. Names keep their case and duplicates stay. RFC 2231
// continuations (name*0, name*1, …) are joined but not decoded, as Dovecot
// does: a continued extended parameter becomes "name*" with the still-encoded
// value, and clients decode it.

export type ParamList = Array<[string, string]>;

const TSPECIALS = '()<>@,;:\\"/[]?=';

function isTokenChar(c: string): boolean {
  return c > ' ' && c !== '\x7f' && !TSPECIALS.includes(c);
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  /** Skips whitespace and (nested) comments. */
  skipCfws(): void {
    while (!this.done) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        this.pos++;
      } else if (c === '(') {
        let depth = 0;
        while (!this.done) {
          const d = this.text[this.pos++];
          if (d === '\\') this.pos++;
          else if (d === '(') depth++;
          else if (d === ')' && --depth === 0) break;
        }
      } else {
        return;
      }
    }
  }
  token(): string {
    const start = this.pos;
    while (!this.done && isTokenChar(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done) {
      const c = this.text[this.pos++];
      if (c === '"') return out;
      if (c === '\\' && !this.done) out += this.text[this.pos++];
      else out += c;
    }
    return out;
  }
  /** Skips to just after the next ';' (or the end). */
  skipPastSemicolon(): void {
    while (!this.done && this.peek() !== ';') {
      if (this.peek() === '"') this.quoted();
      else this.pos++;
    }
  }
}

function readParams(s: Scanner): ParamList {
  const params: ParamList = [];
  for (;;) {
    s.skipPastSemicolon();
    if (s.done) break;
    s.pos++; // ';'
    s.skipCfws();
    const name = s.token();
    s.skipCfws();
    if (s.peek() !== '=') continue;
    s.pos++;
    s.skipCfws();
    const value = s.peek() === '"' ? s.quoted() : s.token();
    params.push([name, value]);
  }
  return joinContinuations(params);
}

/** RFC 2231 §3/§4: joins name*0, name*1… (in index order, while contiguous from 0). */
function joinContinuations(params: ParamList): ParamList {
  const plain: ParamList = [];
  const groups = new Map<string, { name: string; pieces: Map<number, { value: string; extended: boolean; raw: [string, string] }> }>();
  for (const [name, value] of params) {
    const m = /^(.+?)\*(\d+)(\*?)$/.exec(name);
    if (!m) {
      plain.push([name, value]);
      continue;
    }
    const key = m[1].toLowerCase();
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { name: m[1], pieces: new Map() }));
    const index = Number(m[2]);
    if (!group.pieces.has(index)) group.pieces.set(index, { value, extended: m[3] === '*', raw: [name, value] });
  }
  const joined: ParamList = [];
  for (const group of groups.values()) {
    const first = group.pieces.get(0);
    if (!first) {
      for (const piece of group.pieces.values()) plain.push(piece.raw);
      continue;
    }
    let value = '';
    let index = 0;
    for (let piece = first; piece; piece = group.pieces.get(++index)!) {
      value += piece.value;
      group.pieces.delete(index);
    }
    joined.push([first.extended ? group.name + '*' : group.name, value]);
    for (const piece of group.pieces.values()) plain.push(piece.raw);
  }
  return [...plain, ...joined];
}

/** Content-Type: type and subtype as written (null when unparseable) and the parameters. */
export function parseContentTypeRaw(value: string): { type: string | null; subtype: string | null; params: ParamList } {
  const s = new Scanner(value);
  s.skipCfws();
  const type = s.token();
  s.skipCfws();
  let subtype = '';
  if (s.peek() === '/') {
    s.pos++;
    s.skipCfws();
    subtype = s.token();
  }
  const params = readParams(s);
  if (!type || !subtype) return { type: null, subtype: null, params };
  return { type, subtype, params };
}

/** Content-Disposition (or any "token; params" value): the token as written, or null, and the parameters. */
export function parseTokenWithParams(value: string): { token: string | null; params: ParamList } {
  const s = new Scanner(value);
  s.skipCfws();
  const token = s.peek() === '"' ? s.quoted() : s.token();
  return { token: token || null, params: readParams(s) };
}

/** The first token of a value (Content-Transfer-Encoding) as written, or null. */
export function parseToken(value: string): string | null {
  const s = new Scanner(value);
  s.skipCfws();
  return s.token() || null;
}
