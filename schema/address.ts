// The one rule for mail addresses, shared by the configuration, the API and
// SMTP (and the store, which keys accounts by it).
//
// - Local part: RFC 5321 §4.1.2 Dot-string or Quoted-string; with RFC 6531
//   (SMTPUTF8) also UTF-8, unless the caller forbids it (an SMTP envelope
//   without the SMTPUTF8 parameter).
// - Domain: any host name, single-label ones included (`localhost`, `mail`),
//   IDN in either form. Domains are kept as lowercase A-labels (punycode,
//   UTS #46 through node:url's domainToASCII), so `bücher.example` and
//   `xn--bcher-kva.example` are the same domain and DNS, DKIM and MX lookups
//   get the form they need. Address literals (`[192.0.2.1]`) are refused.
// - `address` keeps the local part's case (a remote mailbox may care);
//   `key` lowercases it: Heron's own addresses are case-insensitive and
//   stored in this form.
import { domainToASCII, domainToUnicode } from 'node:url';
import { z } from 'zod';

export interface MailAddress {
  /** Local part as given (NFC), quoted only when it has to be (RFC 5321 §4.1.2: SHOULD NOT quote a Dot-string). */
  local: string;
  /** Lowercase A-label domain. */
  domain: string;
  /** local@domain: what is used for a remote mailbox. */
  address: string;
  /** The lowercase form: how Heron stores and looks up its own accounts, aliases and users. */
  key: string;
  /** The local part has non-ASCII characters (an SMTP envelope then needs SMTPUTF8). */
  utf8: boolean;
}

export type AddressProblem = 'syntax' | 'utf8';
export type AddressResult = { ok: true; value: MailAddress } | { ok: false; problem: AddressProblem; error: string };
export type DomainResult = { ok: true; value: string } | { ok: false; error: string };

export interface AddressOptions {
  /** Whether a UTF-8 local part is acceptable here (RFC 6531/6532). Default true. */
  utf8?: boolean;
}

// RFC 5322 §3.2.3 atext, plus (RFC 6531 §3.3) any non-ASCII character.
const ATEXT_ASCII = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/;
// Characters that never belong in an address: controls, unassigned and private
// code points, separators, and the invisible ones used to spoof (zero-width
// space, word joiner, BOM, bidi overrides). ZWJ/ZWNJ stay: some scripts need them.
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Z}\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/u;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const MAX_LOCAL_OCTETS = 64; // RFC 5321 §4.5.3.1.1
const MAX_ADDRESS_OCTETS = 254; // RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its brackets
const MAX_DOMAIN = 253;

const octets = (s: string) => Buffer.byteLength(s, 'utf8');
const nonAscii = (s: string) => /[^\x00-\x7f]/.test(s);

function isAtext(ch: string): boolean {
  return ATEXT_ASCII.test(ch) || (ch.codePointAt(0)! > 0x7f && !FORBIDDEN.test(ch));
}

function isDotString(s: string): boolean {
  if (!s) return false;
  return s.split('.').every((atom) => atom.length > 0 && [...atom].every(isAtext));
}

/** The host part as a lowercase A-label domain, or why not. Single labels are fine. */
export function parseDomain(input: string): DomainResult {
  const raw = input.trim();
  if (!raw) return { ok: false, error: 'the domain is empty' };
  if (raw.startsWith('[')) return { ok: false, error: 'address literals such as [192.0.2.1] are not accepted; use a domain name' };
  if (raw.endsWith('.')) return { ok: false, error: `"${raw}" ends with a dot` };
  if (FORBIDDEN.test(raw)) return { ok: false, error: `"${raw}" contains a space or control character` };
  const ascii = domainToASCII(raw);
  if (!ascii) return { ok: false, error: `"${raw}" is not a valid domain name (IDNA)` };
  if (ascii.length > MAX_DOMAIN) return { ok: false, error: `the domain is longer than ${MAX_DOMAIN} characters` };
  const labels = ascii.split('.');
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) return { ok: false, error: `"${raw}" is not a host name (label "${bad}": letters, digits and inner hyphens only)` };
  // domainToASCII turns "0x7f.1" into "127.0.0.1"; a numeric last label is an IP address, not a domain.
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return { ok: false, error: `"${raw}" looks like an IP address; use a domain name` };
  return { ok: true, value: ascii };
}

/** The domain for people to read: U-labels where the A-label is an IDN. */
export function displayDomain(domain: string): string {
  return domainToUnicode(domain) || domain;
}

function parseLocal(raw: string, options: AddressOptions): { ok: true; content: string } | { ok: false; problem: AddressProblem; error: string } {
  let content: string;
  if (raw.startsWith('"')) {
    // RFC 5321 §4.1.2: Quoted-string = DQUOTE *QcontentSMTP DQUOTE; qtextSMTP is
    // %d32-33 / %d35-91 / %d93-126 (and UTF-8 with RFC 6531); quoted-pairSMTP is "\" %d32-126.
    if (raw.length < 2 || !raw.endsWith('"')) return { ok: false, problem: 'syntax', error: 'unterminated quoted local part' };
    content = '';
    const inner = [...raw.slice(1, -1)];
    for (let i = 0; i < inner.length; i++) {
      const ch = inner[i];
      const code = ch.codePointAt(0)!;
      if (ch === '\\') {
        const next = inner[++i];
        if (next === undefined || next.codePointAt(0)! < 32 || next.codePointAt(0)! > 126) {
          return { ok: false, problem: 'syntax', error: 'a backslash in a quoted local part must escape a printable ASCII character' };
        }
        content += next;
      } else if (ch === '"') {
        return { ok: false, problem: 'syntax', error: 'a double quote inside a quoted local part must be escaped' };
      } else if ((code >= 32 && code <= 126) || (code > 0x7f && !FORBIDDEN.test(ch))) {
        content += ch;
      } else {
        return { ok: false, problem: 'syntax', error: 'the quoted local part contains a control character' };
      }
    }
  } else {
    if (!isDotString(raw)) {
      return { ok: false, problem: 'syntax', error: `"${raw}" is not a valid local part (letters, digits, !#$%&'*+-/=?^_\`{|}~ and single inner dots; quote anything else)` };
    }
    content = raw;
  }
  content = content.normalize('NFC');
  if (!content) return { ok: false, problem: 'syntax', error: 'the local part is empty' };
  if (nonAscii(content) && options.utf8 === false) {
    return { ok: false, problem: 'utf8', error: 'a non-ASCII local part is not accepted here; use an ASCII address' };
  }
  return { ok: true, content };
}

/** The canonical written form of a local part: bare when it is a Dot-string, else quoted with only `"` and `\` escaped. */
function writeLocal(content: string): string {
  return isDotString(content) ? content : `"${content.replace(/(["\\])/g, '\\$1')}"`;
}

/** Parses an addr-spec (`local@domain`, no display name or angle brackets). */
export function parseMailAddress(input: string, options: AddressOptions = {}): AddressResult {
  const raw = input.trim();
  // The local part may be quoted and contain "@"; the domain never does.
  const at = raw.lastIndexOf('@');
  if (at < 0) return { ok: false, problem: 'syntax', error: 'expected a full address like alice@example.com' };
  if (at === 0) return { ok: false, problem: 'syntax', error: 'the local part (before @) is empty' };
  const local = parseLocal(raw.slice(0, at), options);
  if (!local.ok) return local;
  const domain = parseDomain(raw.slice(at + 1));
  if (!domain.ok) return { ok: false, problem: 'syntax', error: domain.error };
  const written = writeLocal(local.content);
  if (octets(written) > MAX_LOCAL_OCTETS) return { ok: false, problem: 'syntax', error: `the local part is longer than ${MAX_LOCAL_OCTETS} octets` };
  const address = `${written}@${domain.value}`;
  if (octets(address) > MAX_ADDRESS_OCTETS) return { ok: false, problem: 'syntax', error: `the address is longer than ${MAX_ADDRESS_OCTETS} octets` };
  return {
    ok: true,
    value: { local: written, domain: domain.value, address, key: `${writeLocal(local.content.toLowerCase())}@${domain.value}`, utf8: nonAscii(written) },
  };
}

/** The stored (lowercase, A-label) form, or null when `input` is not an address. */
export function addressKey(input: string): string | null {
  const parsed = parseMailAddress(input);
  return parsed.ok ? parsed.value.key : null;
}

/** The stored (lowercase A-label) form of a domain; anything that is not one is only trimmed and lowercased, so it matches nothing. */
export function domainKey(input: string): string {
  const parsed = parseDomain(input);
  return parsed.ok ? parsed.value : input.trim().toLowerCase();
}

function addressChecks(options: AddressOptions) {
  return z
    .string()
    .trim()
    .max(512)
    .superRefine((value, ctx) => {
      const parsed = parseMailAddress(value, options);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    });
}

/**
 * zod: an address for one of Heron's own identities (user_account email,
 * mail_account username, HERON_ADMIN_EMAIL), in its stored form (`key`).
 */
export const addressKeySchema = (options: AddressOptions = {}) => addressChecks(options).overwrite((v) => parseMailAddress(v, options).ok ? addressKey(v)! : v);

/** zod: any mailbox (a remote one included), local part's case kept, domain as A-label (`address`). */
export const mailAddressSchema = (options: AddressOptions = {}) =>
  addressChecks(options).overwrite((v) => {
    const parsed = parseMailAddress(v, options);
    return parsed.ok ? parsed.value.address : v;
  });

/** zod: a host name (mail_server hostname), stored as a lowercase A-label. */
export const domainSchema = z
  .string()
  .trim()
  .max(MAX_DOMAIN * 4)
  .superRefine((value, ctx) => {
    const parsed = parseDomain(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
  })
  .overwrite((v) => {
    const parsed = parseDomain(v);
    return parsed.ok ? parsed.value : v;
  });
