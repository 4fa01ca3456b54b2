// FETCH data items (RFC 3501 §6.4.5; MODSEQ RFC 7162; EMAILID, THREADID RFC 8474;
// SAVEDATE RFC 8514; PREVIEW RFC 8970; BINARY RFC 3516), parsed from tokens into a typed list.
import type { SectionSpec } from '../mime/section.ts';
import { ParseError, type Token } from './tokens.ts';

export type SimpleItem =
  | 'FLAGS'
  | 'INTERNALDATE'
  | 'RFC822.SIZE'
  | 'ENVELOPE'
  | 'BODY'
  | 'BODYSTRUCTURE'
  | 'UID'
  | 'MODSEQ'
  | 'EMAILID'
  | 'THREADID'
  | 'SAVEDATE';

/** RFC 8970 PREVIEW; `lazy`: the (LAZY) modifier, NIL rather than computing a preview not stored yet. */
export interface PreviewItem {
  kind: 'PREVIEW';
  lazy: boolean;
}

export interface SectionItem {
  kind: 'section';
  /** Name in the response, e.g. "BODY[HEADER.FIELDS (FROM)]<0>" or "RFC822.HEADER". */
  responseName: string;
  /** Sets \Seen (RFC 3501 §6.4.5: BODY[...] and RFC822 and RFC822.TEXT, not .PEEK / RFC822.HEADER). */
  setsSeen: boolean;
  /** null: the whole message. */
  spec: SectionSpec | null;
  partial: { start: number; length: number } | null;
}

/** RFC 3516 §4.2: BINARY[part]<partial> and BINARY.PEEK (the part decoded), BINARY.SIZE[part] (its decoded size). */
export interface BinaryItem {
  kind: 'binary';
  /** Name in the response, e.g. "BINARY[2]<0>" or "BINARY.SIZE[2]". */
  responseName: string;
  /** BINARY.SIZE: the size only. */
  size: boolean;
  /** BINARY sets \Seen as BODY does; BINARY.PEEK and BINARY.SIZE do not. */
  setsSeen: boolean;
  /** section-part (RFC 3516 §4.4): part numbers only; empty for the whole message. */
  path: number[];
  partial: { start: number; length: number } | null;
}

export type FetchItem = { kind: SimpleItem } | SectionItem | PreviewItem | BinaryItem;

const SIMPLE = new Set<string>(['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'UID', 'MODSEQ', 'EMAILID', 'THREADID', 'SAVEDATE']);
const MACROS: Record<string, SimpleItem[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SECTION = /^(BODY(?:\.PEEK)?)\[([^\]]*)\](?:<(\d+)\.(\d+)>)?$/i;
/** RFC 3516 §4.4: section-binary = "[" [section-part] "]", so no HEADER, TEXT or MIME. */
const BINARY = /^BINARY(\.PEEK|\.SIZE)?\[((?:[1-9]\d{0,5})(?:\.[1-9]\d{0,5})*)?\](?:<(\d+)\.(\d+)>)?$/i;

export function parseSection(inner: string): { spec: SectionSpec | null; canonical: string } {
  if (inner === '') return { spec: null, canonical: '' };
  const m = /^((?:[1-9]\d{0,5})(?:\.[1-9]\d{0,5})*)?(?:^|\.)?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)?(?: \(([^)]*)\))?$/i.exec(inner);
  if (!m) throw new ParseError('invalid section');
  const path = m[1] ? m[1].split('.').map(Number) : [];
  const text = (m[2]?.toUpperCase() ?? null) as SectionSpec['text'];
  if (path.length === 0 && text === null) throw new ParseError('invalid section');
  if (text === 'MIME' && path.length === 0) throw new ParseError('MIME needs a part number');
  // A part number followed directly by text without a dot ("1HEADER") is not valid.
  if (m[1] && text && inner[m[1].length] !== '.') throw new ParseError('invalid section');
  const wantsFields = text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT';
  if (wantsFields !== (m[3] !== undefined)) throw new ParseError('invalid section');
  let fields: string[] | undefined;
  if (wantsFields) {
    fields = m[3]
      .trim()
      .split(/ +/)
      .map((f) => f.replace(/^"(.*)"$/, '$1'));
    if (fields.length === 0 || fields.some((f) => !/^[\x21-\x39\x3b-\x7e]+$/.test(f))) throw new ParseError('invalid header field list');
  }
  const canonical = [path.join('.'), text ? text + (fields ? ` (${fields.map((f) => f.toUpperCase()).join(' ')})` : '') : ''].filter(Boolean).join('.');
  return { spec: { path, text, fields }, canonical };
}

function parseItem(tok: Token): FetchItem[] {
  if (tok.t !== 'atom') throw new ParseError('invalid FETCH item');
  const upper = tok.v.toUpperCase();
  if (SIMPLE.has(upper)) return [{ kind: upper as SimpleItem }];
  if (upper === 'RFC822') return [{ kind: 'section', responseName: 'RFC822', setsSeen: true, spec: null, partial: null }];
  if (upper === 'RFC822.HEADER') {
    return [{ kind: 'section', responseName: 'RFC822.HEADER', setsSeen: false, spec: { path: [], text: 'HEADER' }, partial: null }];
  }
  if (upper === 'RFC822.TEXT') {
    return [{ kind: 'section', responseName: 'RFC822.TEXT', setsSeen: true, spec: { path: [], text: 'TEXT' }, partial: null }];
  }
  const binary = BINARY.exec(tok.v);
  if (binary) return [binaryItem(binary)];
  const m = SECTION.exec(tok.v);
  if (!m) throw new ParseError(`unknown FETCH item ${tok.v.slice(0, 40)}`);
  const { spec, canonical } = parseSection(m[2]);
  const partial = parsePartial(m[3], m[4]);
  return [
    {
      kind: 'section',
      responseName: `BODY[${canonical}]${partial ? `<${partial.start}>` : ''}`,
      setsSeen: m[1].toUpperCase() === 'BODY',
      spec,
      partial,
    },
  ];
}

/** <origin.length> (RFC 3501 §9 partial: the length is nz-number). */
function parsePartial(start: string | undefined, length: string | undefined): { start: number; length: number } | null {
  if (start === undefined) return null;
  const partial = { start: Number(start), length: Number(length) };
  if (partial.length === 0 || !Number.isSafeInteger(partial.start) || !Number.isSafeInteger(partial.length)) throw new ParseError('invalid partial range');
  return partial;
}

function binaryItem(m: RegExpExecArray): BinaryItem {
  const variant = m[1]?.toUpperCase() ?? '';
  const size = variant === '.SIZE';
  const path = m[2] ? m[2].split('.').map(Number) : [];
  const partial = parsePartial(m[3], m[4]);
  // RFC 3516 §4.4: fetch-att =/ "BINARY.SIZE" section-binary, without a partial.
  if (size && partial) throw new ParseError('BINARY.SIZE takes no partial range');
  // RFC 3516 §4.3: the response names the origin of a partial, as BODY[]<origin> does.
  const responseName = `BINARY${size ? '.SIZE' : ''}[${path.join('.')}]${partial ? `<${partial.start}>` : ''}`;
  return { kind: 'binary', responseName, size, setsSeen: variant === '', path, partial };
}

/** RFC 8970 §6: preview-mod = "LAZY"; true when `tok` is such a list ("(LAZY)"). */
export function isPreviewModifiers(tok: Token | undefined): tok is Extract<Token, { t: 'list' }> {
  return tok?.t === 'list' && tok.v.length > 0 && tok.v.every((m) => m.t === 'atom' && m.v.toUpperCase() === 'LAZY');
}

const isPreview = (tok: Token) => tok.t === 'atom' && tok.v.toUpperCase() === 'PREVIEW';

/** The items of a FETCH: a macro, one item, or a parenthesised list. */
export function parseFetchItems(tok: Token): FetchItem[] {
  if (tok.t === 'atom' && MACROS[tok.v.toUpperCase()]) return MACROS[tok.v.toUpperCase()].map((kind) => ({ kind }));
  const tokens = tok.t === 'list' ? tok.v : [tok];
  const items: FetchItem[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isPreview(tokens[i])) {
      items.push(...parseItem(tokens[i]));
      continue;
    }
    // "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"] (RFC 8970 §6).
    const mods = tokens[i + 1];
    const lazy = mods?.t === 'list';
    if (lazy && !isPreviewModifiers(mods)) throw new ParseError('unknown PREVIEW modifier');
    if (lazy) i++;
    items.push({ kind: 'PREVIEW', lazy });
  }
  if (items.length === 0) throw new ParseError('empty FETCH item list');
  return items;
}
