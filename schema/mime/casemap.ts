// The i;unicode-casemap collation (RFC 5051), which SORT and THREAD compare
// strings with (RFC 5256 §3, §7): each character is mapped to its titlecase
// (UnicodeData's simple titlecase mapping) and then to its full decomposition
// "of any type" (RFC 5051 §2 (2)(b): compatibility ones too, as Dovecot does),
// with no case mapping after it; the resulting strings compare as octets (i;octet). A key
// built here once, at delivery, orders correctly with any byte-wise string
// comparison: SQLite's BINARY, PostgreSQL's COLLATE "C", or compareOctets below.
//
// JavaScript offers no simple titlecase mapping, so it is derived:
// - where toUpperCase() maps one code point to one, that is the simple
//   uppercase, which is the simple titlecase except for the letters below;
// - where toUpperCase() expands (ß → SS, ligatures, ŉ), UnicodeData has no
//   simple mapping and the character stays, except the Greek letters with
//   ypogegrammeni, whose titlecase is the prosgegrammeni form;
// - the Latin digraphs titlecase to their mixed form (ǆ → ǅ), and Georgian
//   Mkhedruli letters keep their form (their titlecase is themselves).

/** DŽ Dž dž → Dž, LJ Lj lj → Lj, NJ Nj nj → Nj, DZ Dz dz → Dz. */
const DIGRAPHS = new Map<number, number>([
  [0x01c4, 0x01c5], [0x01c5, 0x01c5], [0x01c6, 0x01c5],
  [0x01c7, 0x01c8], [0x01c8, 0x01c8], [0x01c9, 0x01c8],
  [0x01ca, 0x01cb], [0x01cb, 0x01cb], [0x01cc, 0x01cb],
  [0x01f1, 0x01f2], [0x01f2, 0x01f2], [0x01f3, 0x01f2],
]);

function isMkhedruli(cp: number): boolean {
  return (cp >= 0x10d0 && cp <= 0x10fa) || (cp >= 0x10fd && cp <= 0x10ff);
}

/** Greek with ypogegrammeni (U+1F80–U+1FAF, U+1FB3, U+1FC3, U+1FF3): the simple titlecase adds prosgegrammeni. */
function greekIotaTitlecase(cp: number): number | null {
  if (cp >= 0x1f80 && cp <= 0x1faf) return (cp & 0x0f) < 8 ? cp + 8 : cp;
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return cp + 9;
  if (cp === 0x1fbc || cp === 0x1fcc || cp === 0x1ffc) return cp;
  return null;
}

/** The simple titlecase mapping of one code point (UnicodeData.txt field 14, else the code point itself). */
export function titlecase(cp: number): number {
  if (cp < 0x80) return cp >= 0x61 && cp <= 0x7a ? cp - 0x20 : cp;
  const digraph = DIGRAPHS.get(cp);
  if (digraph !== undefined) return digraph;
  if (isMkhedruli(cp)) return cp;
  const greek = greekIotaTitlecase(cp);
  if (greek !== null) return greek;
  const upper = String.fromCodePoint(cp).toUpperCase();
  const mapped = upper.codePointAt(0)!;
  // An expansion (more than one code point) is not a simple mapping.
  return upper.length === String.fromCodePoint(mapped).length ? mapped : cp;
}

const ASCII = /^[\x01-\x7f]*$/;

/**
 * The i;unicode-casemap form of a string (RFC 5051 §2): each character
 * titlecased, then fully decomposed (NFKD of that one character: combining
 * marks are not reordered across characters). Lone surrogates become
 * U+FFFD, as invalid UTF-8 does in Dovecot; NUL is dropped (no database text
 * column holds it).
 */
export function casemap(text: string): string {
  if (ASCII.test(text)) return text.toUpperCase();
  let out = '';
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    if (cp === 0) continue;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate
    out += String.fromCodePoint(titlecase(cp)).normalize('NFKD');
  }
  return out;
}

/** i;octet order of two strings: byte order of their UTF-8 forms, which is code point order. */
export function compareOctets(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only where a surrogate meets U+E000–U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
