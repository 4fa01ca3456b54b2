// Modified UTF-7 mailbox names (RFC 3501 §5.1.3): printable ASCII stands for
// itself except "&", which is "&-"; everything else is UTF-16 in modified
// base64 ("," instead of "/") between "&" and "-".

export function encodeMailboxName(name: string): string {
  let out = '';
  let pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes = Buffer.alloc(pending.length * 2);
    pending.forEach((unit, i) => bytes.writeUInt16BE(unit, i * 2));
    out += '&' + bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += code === 0x26 ? '&-' : name[i];
    } else {
      pending.push(code);
    }
  }
  flush();
  return out;
}

export class Utf7Error extends Error {}

/** Decodes a wire name; throws Utf7Error on malformed input. */
export function decodeMailboxName(wire: string): string {
  let out = '';
  for (let i = 0; i < wire.length; i++) {
    const ch = wire[i];
    const code = wire.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      // 8-bit names are not valid modified UTF-7, but clients send UTF-8; accept it as such.
      const text = Buffer.from(wire, 'latin1').toString('utf8');
      if (text.includes('\uFFFD')) throw new Utf7Error('mailbox name is neither modified UTF-7 nor UTF-8');
      return text;
    }
    if (ch !== '&') {
      out += ch;
      continue;
    }
    const end = wire.indexOf('-', i + 1);
    if (end < 0) throw new Utf7Error('unterminated modified UTF-7 sequence');
    if (end === i + 1) {
      out += '&';
    } else {
      const b64 = wire.slice(i + 1, end);
      if (!/^[A-Za-z0-9+,]+$/.test(b64)) throw new Utf7Error('invalid modified UTF-7 sequence');
      const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
      if (bytes.length % 2 !== 0) throw new Utf7Error('invalid modified UTF-7 length');
      for (let j = 0; j < bytes.length; j += 2) out += String.fromCharCode(bytes.readUInt16BE(j));
    }
    i = end;
  }
  return out;
}
