// Header work on an inbound message: count Received hops (loop detection),
// drop Authentication-Results that claim to come from us (RFC 8601 §5: a
// receiver removes forged results bearing its own authserv-id), and build
// the Received header we prepend (RFC 5321 §4.4).
import { type HeaderField, removeHeaderFields } from '../../schema/index.ts';

/** How many Received fields the message has already collected. */
export const receivedCount = (fields: HeaderField[]): number => fields.filter((f) => f.key === 'received').length;

/** authserv-id of an Authentication-Results value (RFC 8601 §2.2): the token before the first ';'. */
const authservId = (value: string): string => value.split(';')[0].trim().split(/\s+/)[0].toLowerCase();

/** The message without Authentication-Results fields whose authserv-id is one of `ours`. */
export function stripForgedResults(raw: Buffer, ours: ReadonlySet<string>): Buffer {
  return removeHeaderFields(raw, (f) => f.key === 'authentication-results' && ours.has(authservId(f.value)));
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
