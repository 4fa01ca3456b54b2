// Parses rendered IMAP data (NIL, numbers, atoms, quoted strings, literals,
// parenthesised lists) into a tree, so tests compare values, not the choice
// between a quoted string and a literal.
export type ImapValue = null | string | { atom: string } | ImapValue[];

export function parseImapValue(text: string): ImapValue {
  let pos = 0;
  const value = (): ImapValue => {
    const c = text[pos];
    if (c === '(') {
      pos++;
      const list: ImapValue[] = [];
      while (text[pos] !== ')') {
        if (pos >= text.length) throw new Error('unterminated list');
        if (text[pos] === ' ') pos++;
        else list.push(value());
      }
      pos++;
      return list;
    }
    if (c === '"') {
      let out = '';
      pos++;
      while (text[pos] !== '"') {
        if (pos >= text.length) throw new Error('unterminated string');
        if (text[pos] === '\\') pos++;
        out += text[pos++];
      }
      pos++;
      return out;
    }
    if (c === '{') {
      const m = /^\{(\d+)\}\r\n/.exec(text.slice(pos));
      if (!m) throw new Error('bad literal at ' + pos);
      pos += m[0].length;
      const out = text.slice(pos, pos + Number(m[1]));
      pos += Number(m[1]);
      return out;
    }
    const m = /^[^\s()"{]+/.exec(text.slice(pos));
    if (!m) throw new Error(`unexpected ${JSON.stringify(text.slice(pos, pos + 20))}`);
    pos += m[0].length;
    return m[0] === 'NIL' ? null : { atom: m[0] };
  };
  const v = value();
  if (pos !== text.length) throw new Error(`trailing data ${JSON.stringify(text.slice(pos, pos + 20))}`);
  return v;
}
