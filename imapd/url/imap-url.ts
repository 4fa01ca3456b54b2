// IMAP URLs (RFC 5092) in the forms CATENATE (RFC 4469) and URLAUTH (RFC 4467)
// use: a message or a part of one, absolute
//   imap://user@host[:port]/mailbox[;UIDVALIDITY=n]/;UID=n[/;SECTION=s][/;PARTIAL=a[.b]][;EXPIRE=t;URLAUTH=access[:MECH:token]]
// or as an absolute-path relative reference ("/mailbox;UIDVALIDITY=n/;UID=n/;SECTION=s").
// Pure: text in, a validated structure (or UrlError) out. Keywords are
// case-insensitive (RFC 5092 §6: ABNF strings are); mailbox, user and section
// are %-decoded (RFC 5092 §3.3: mailbox names are UTF-8 in URLs).
import type { SectionSpec } from '../mime/section.ts';
import { parseSection } from '../parser/fetch-items.ts';

export class UrlError extends Error {}

export type UrlAccess = { kind: 'anonymous' } | { kind: 'authuser' } | { kind: 'user' | 'submit'; user: string };

export interface UrlAuth {
  /** RFC 4467 §3: ;EXPIRE= as epoch ms, or null. */
  expire: number | null;
  access: UrlAccess;
  /** The verifier (":MECH:token"), absent in a rump URL (GENURLAUTH's input). */
  mechanism: string | null;
  token: string | null;
  /** The URL up to and including the access identifier: what the token signs (RFC 4467 §7). */
  rump: string;
}

export interface ImapUrl {
  /** Absent in a relative URL. */
  server: { user: string | null; host: string; port: number | null } | null;
  mailbox: string;
  uidvalidity: number | null;
  uid: number;
  /** The section as written (decoded) and as parsed; null: the whole message. */
  section: { text: string; spec: SectionSpec } | null;
  partial: { start: number; length: number | null } | null;
  urlauth: UrlAuth | null;
}

const MAX_URL = 8192;
const NZ_NUMBER = /^[1-9]\d{0,9}$/;
const NUMBER = /^\d{1,10}$/;
// RFC 5092 bchar (achar / ":" / "@" / "/") with pct-encoded, less "/" (a path separator here).
const ACHARS = /^(?:[A-Za-z0-9\-._~!$'()*+,&=:@]|%[0-9A-Fa-f]{2})+$/;
// RFC 3986 host: reg-name, IPv4 or an IP literal in brackets.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;
const MECHANISM = /^[A-Za-z0-9\-.]+$/;
const TOKEN = /^[0-9A-Fa-f]{32,}$/;
// RFC 3339 date-time.
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i;

function uint32(text: string, what: string, nonZero: boolean): number {
  if (!(nonZero ? NZ_NUMBER : NUMBER).test(text)) throw new UrlError(`invalid ${what}`);
  const n = Number(text);
  if (n > 0xffffffff) throw new UrlError(`${what} out of range`);
  return n;
}

/** %-decodes bytes as UTF-8; refuses invalid UTF-8 and control characters. */
function decode(text: string, what: string): string {
  if (!ACHARS.test(text)) throw new UrlError(`invalid character in ${what}`);
  const bytes = Buffer.from(text.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  const out = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: false });
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(out)) throw new UrlError(`control character in ${what}`);
  return out;
}

/** Decoding with TextDecoder throws TypeError on bad UTF-8: one error type for callers. */
function decodeOrThrow(text: string, what: string): string {
  try {
    return decode(text, what);
  } catch (err) {
    if (err instanceof UrlError) throw err;
    throw new UrlError(`${what} is not UTF-8`);
  }
}

/** `;NAME=value` with NAME matched case-insensitively; the value, or null when `part` is another parameter. */
function param(part: string, name: string): string | null {
  const prefix = `;${name}=`;
  return part.slice(0, prefix.length).toUpperCase() === prefix ? part.slice(prefix.length) : null;
}

function parseExpire(text: string): number {
  const m = DATE_TIME.exec(text);
  if (!m) throw new UrlError('invalid EXPIRE');
  const t = Date.parse(text.toUpperCase());
  if (!Number.isFinite(t)) throw new UrlError('invalid EXPIRE');
  return t;
}

function parseAccess(text: string): UrlAccess {
  const lower = text.toLowerCase();
  if (lower === 'anonymous' || lower === 'authuser') return { kind: lower };
  const m = /^(submit|user)\+(.+)$/i.exec(text);
  if (!m) throw new UrlError('invalid URLAUTH access identifier');
  return { kind: m[1].toLowerCase() as 'submit' | 'user', user: decodeOrThrow(m[2], 'access identifier user') };
}

/**
 * The ";EXPIRE=…;URLAUTH=access[:mech:token]" tail after the last path
 * segment, split from it. RFC 5092 §7: iurlauth follows imessagepart directly.
 */
function splitUrlauth(url: string, last: string): { rest: string; urlauth: UrlAuth | null } {
  const at = last.search(/;(?:EXPIRE|URLAUTH)=/i);
  if (at < 0) return { rest: last, urlauth: null };
  const rest = last.slice(0, at);
  let tail = last.slice(at);
  let expire: number | null = null;
  const exp = /^;EXPIRE=([^;]*)/i.exec(tail);
  if (exp) {
    expire = parseExpire(decodeOrThrow(exp[1], 'EXPIRE'));
    tail = tail.slice(exp[0].length);
  }
  const ua = /^;URLAUTH=([^:;]+)(?::([^:;]+):([^:;]+))?$/i.exec(tail);
  if (!ua) throw new UrlError('invalid URLAUTH');
  const access = parseAccess(ua[1]);
  const mechanism = ua[2] ?? null;
  const token = ua[3] ?? null;
  if (mechanism !== null && (!MECHANISM.test(mechanism) || !TOKEN.test(token!))) throw new UrlError('invalid URLAUTH verifier');
  const rumpEnd = url.length - (mechanism === null ? 0 : mechanism.length + token!.length + 2);
  return { rest, urlauth: { expire, access, mechanism: mechanism?.toUpperCase() ?? null, token: token?.toLowerCase() ?? null, rump: url.slice(0, rumpEnd) } };
}

function parseServer(authority: string): NonNullable<ImapUrl['server']> {
  const at = authority.lastIndexOf('@');
  let user: string | null = null;
  if (at >= 0) {
    const info = authority.slice(0, at);
    // RFC 5092 §3.2 iauth (";AUTH=…"): a login hint; access is by this session's login anyway.
    const enc = info.replace(/;AUTH=(?:\*|[A-Za-z0-9\-._~!$'()*+,&=]+)$/i, '');
    if (enc !== '') user = decodeOrThrow(enc, 'user');
  }
  const hostPort = authority.slice(at + 1);
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(hostPort)!;
  if (!m[1] || !HOST.test(m[1])) throw new UrlError('invalid host');
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && port > 65535) throw new UrlError('invalid port');
  return { user, host: m[1].toLowerCase(), port };
}

/** Parses an absolute IMAP URL or an absolute-path reference to a message or part. */
export function parseImapUrl(url: string): ImapUrl {
  if (url.length === 0 || url.length > MAX_URL) throw new UrlError('invalid URL length');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f-\uffff"\\]/.test(url)) throw new UrlError('invalid character in URL');
  let server: ImapUrl['server'] = null;
  let path: string;
  const scheme = /^imap:\/\/([^/]*)(\/.*)$/i.exec(url);
  if (scheme) {
    server = parseServer(scheme[1]);
    path = scheme[2];
  } else if (url.startsWith('/') && !url.startsWith('//')) {
    path = url;
  } else {
    throw new UrlError('not an absolute IMAP URL or absolute-path reference');
  }
  // path: "/" imailbox-ref "/;UID=" n ["/;SECTION=" s] ["/;PARTIAL=" p] [iurlauth]
  const uidAt = path.search(/\/;UID=/i);
  if (uidAt < 1) throw new UrlError('missing mailbox or UID');
  let mailboxRef = path.slice(1, uidAt);
  let uidvalidity: number | null = null;
  const uv = /;UIDVALIDITY=([^;/]*)$/i.exec(mailboxRef);
  if (uv) {
    uidvalidity = uint32(uv[1], 'UIDVALIDITY', true);
    mailboxRef = mailboxRef.slice(0, uv.index);
  }
  if (mailboxRef === '') throw new UrlError('missing mailbox');
  // enc-mailbox may hold "/" (the hierarchy delimiter); each segment is decoded on its own.
  const mailbox = mailboxRef
    .split('/')
    .map((s) => (s === '' ? '' : decodeOrThrow(s, 'mailbox')))
    .join('/');
  const segments = path.slice(uidAt + 1).split('/');
  const { rest: lastRest, urlauth } = splitUrlauth(url, segments[segments.length - 1]);
  segments[segments.length - 1] = lastRest;
  const uidText = param(segments.shift()!, 'UID');
  if (uidText === null) throw new UrlError('missing UID');
  const uid = uint32(uidText, 'UID', true);
  let section: ImapUrl['section'] = null;
  let partial: ImapUrl['partial'] = null;
  let next = segments.shift();
  const sectionText = next === undefined ? null : param(next, 'SECTION');
  if (sectionText !== null) {
    const text = decodeOrThrow(sectionText, 'section');
    try {
      section = { text, spec: parseSection(text).spec! };
    } catch {
      throw new UrlError('invalid section');
    }
    next = segments.shift();
  }
  const partialText = next === undefined ? null : param(next, 'PARTIAL');
  if (partialText !== null) {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(partialText);
    if (!m) throw new UrlError('invalid PARTIAL');
    partial = { start: uint32(m[1], 'PARTIAL', false), length: m[2] === undefined ? null : uint32(m[2], 'PARTIAL', true) };
    next = segments.shift();
  }
  if (next !== undefined || segments.length > 0) throw new UrlError('unexpected URL component');
  return { server, mailbox, uidvalidity, uid, section, partial, urlauth };
}
