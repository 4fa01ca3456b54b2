// Parses rendered IMAP data (NIL, numbers, atoms, quoted strings, literals,
// parenthesised lists) into a tree, so tests compare values, not the choice
// between a quoted string and a literal. With `strict`, anything RFC 3501 §9
// does not allow a server to send is an error: a quoted string with CR, LF,
// NUL, 8-bit or an escape other than \\ and \", a literal shorter than its
// count or with NUL, a stray character in an atom, separators other than one SP.
export type ImapValue = null | string | { atom: string } | ImapValue[];

// QUOTED-CHAR without the escaped ones: TEXT-CHAR (CHAR minus CR and LF) except quoted-specials.
const QUOTED_CHAR = /^[\x01-\x09\x0b\x0c\x0e-\x21\x23-\x5b\x5d-\x7f]$/;
// ASTRING-CHAR (ATOM-CHAR or "]": any CHAR except atom-specials); a flag may start with "\".
const STRICT_ATOM = /^\\?[^\x00-\x20\x7f-\uffff(){%*"\\]+$/;

export function parseImapValue(text: string, options: { strict?: boolean } = {}): ImapValue {
  const strict = options.strict ?? false;
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${pos}: ${JSON.stringify(text.slice(Math.max(0, pos - 20), pos + 20))}`);
  };
  const value = (): ImapValue => {
    const c = text[pos];
    if (c === '(') {
      pos++;
      const list: ImapValue[] = [];
      while (text[pos] !== ')') {
        if (pos >= text.length) fail('unterminated list');
        if (text[pos] === ' ') {
          if (strict && (list.length === 0 || text[pos + 1] === ' ' || text[pos + 1] === ')')) fail('separator other than one SP');
          pos++;
        } else {
          // body-type-mpart (RFC 3501 §9) is the one place where lists follow each other without SP.
          if (strict && list.length > 0 && text[pos - 1] !== ' ' && !(text[pos - 1] === ')' && text[pos] === '(')) fail('missing SP between list items');
          list.push(value());
        }
      }
      pos++;
      return list;
    }
    if (c === '"') {
      let out = '';
      pos++;
      while (text[pos] !== '"') {
        if (pos >= text.length) fail('unterminated string');
        if (text[pos] === '\\') {
          pos++;
          if (strict && text[pos] !== '\\' && text[pos] !== '"') fail('invalid escape in quoted string');
        } else if (strict && !QUOTED_CHAR.test(text[pos])) {
          fail('character not allowed in a quoted string');
        }
        out += text[pos++];
      }
      pos++;
      return out;
    }
    if (c === '{') {
      const m = /^\{(\d+)\}\r\n/.exec(text.slice(pos, pos + 32));
      if (!m) fail('bad literal');
      pos += m![0].length;
      const n = Number(m![1]);
      if (strict && pos + n > text.length) fail(`literal of ${n} octets runs past the end`);
      const out = text.slice(pos, pos + n);
      if (strict && out.includes('\0')) fail('NUL in a literal');
      pos += n;
      return out;
    }
    const m = /^[^\s()"{]+/.exec(text.slice(pos));
    if (!m) fail('unexpected character');
    if (strict && !STRICT_ATOM.test(m![0])) fail(`invalid atom ${JSON.stringify(m![0])}`);
    pos += m![0].length;
    return m![0] === 'NIL' ? null : { atom: m![0] };
  };
  const v = value();
  if (pos !== text.length) fail('trailing data');
  return v;
}
