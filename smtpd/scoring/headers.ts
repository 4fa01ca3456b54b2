// Header work on an inbound message: count Received hops (loop detection),
// drop Authentication-Results that claim to come from us (RFC 8601 §5: a
// receiver removes forged results bearing its own authserv-id), and build
// the Received header we prepend (RFC 5321 §4.4).

export interface HeaderLine {
  /** Lower-case field name. */
  name: string;
  /** Byte range of the whole field including its folded continuation lines and CRLF. */
  start: number;
  end: number;
  /** Unfolded value. */
  value: string;
}

/** The header fields of a message (CRLF line endings; the data guard refused anything else). */
export function headerFields(raw: Buffer): { fields: HeaderLine[]; bodyStart: number } {
  const fields: HeaderLine[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const eol = raw.indexOf('\r\n', pos);
    const lineEnd = eol === -1 ? raw.length : eol + 2;
    if (lineEnd - pos === 2 || eol === -1 && pos === raw.length) return { fields, bodyStart: lineEnd };
    const first = raw[pos];
    if ((first === 0x20 || first === 0x09) && fields.length) {
      const last = fields[fields.length - 1];
      last.end = lineEnd;
      last.value += ' ' + raw.subarray(pos, eol === -1 ? raw.length : eol).toString('latin1').trim();
    } else {
      const line = raw.subarray(pos, eol === -1 ? raw.length : eol).toString('latin1');
      const colon = line.indexOf(':');
      if (colon <= 0) return { fields, bodyStart: pos }; // not a header line: the body starts here
      fields.push({ name: line.slice(0, colon).trim().toLowerCase(), start: pos, end: lineEnd, value: line.slice(colon + 1).trim() });
    }
    pos = lineEnd;
  }
  return { fields, bodyStart: raw.length };
}

export const receivedCount = (fields: HeaderLine[]): number => fields.filter((f) => f.name === 'received').length;

/** authserv-id of an Authentication-Results value (RFC 8601 §2.2): the token before the first ';'. */
const authservId = (value: string): string => value.split(';')[0].trim().split(/\s+/)[0].toLowerCase();

/** The message without Authentication-Results fields whose authserv-id is one of `ours`. */
export function stripForgedResults(raw: Buffer, ours: ReadonlySet<string>): Buffer {
  const { fields } = headerFields(raw);
  const forged = fields.filter((f) => f.name === 'authentication-results' && ours.has(authservId(f.value)));
  if (forged.length === 0) return raw;
  const parts: Buffer[] = [];
  let pos = 0;
  for (const f of forged) {
    parts.push(raw.subarray(pos, f.start));
    pos = f.end;
  }
  parts.push(raw.subarray(pos));
  return Buffer.concat(parts);
}

export interface ReceivedInfo {
  helo: string;
  clientHostname: string;
  clientAddress: string;
  by: string;
  protocol: 'SMTP' | 'ESMTP' | 'ESMTPS' | 'ESMTPA' | 'ESMTPSA';
  tls: string | null;
  id: string;
  /** Only for a single recipient (RFC 5321 §7.2: listing several leaks Bcc). */
  recipient: string | null;
  date: Date;
}

export function receivedHeader(r: ReceivedInfo): string {
  const client = r.clientHostname && r.clientHostname !== `[${r.clientAddress}]` ? `${r.clientHostname} ` : '';
  const lines = [
    `Received: from ${r.helo || 'unknown'} (${client}[${r.clientAddress}])`,
    `\tby ${r.by} (Heron) with ${r.protocol} id ${r.id}${r.tls ? `\r\n\t(${r.tls})` : ''}`,
    `\t${r.recipient ? `for <${r.recipient}>; ` : ''}${r.date.toUTCString().replace('GMT', '+0000')}`,
  ];
  return lines.join('\r\n') + '\r\n';
}
