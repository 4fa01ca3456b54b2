// Delivery status notifications (RFC 3464): a multipart/report with a human
// explanation, the machine-readable message/delivery-status, and the original
// message's header (text/rfc822-headers, RFC 6522). Built with nodemailer's
// MimeNode so nothing a remote server said can break the structure.
import crypto from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node';

export interface DsnRecipient {
  address: string;
  action: 'failed' | 'delayed';
  /** RFC 3463 status, e.g. "5.1.1". */
  status: string;
  /** The remote server's reply, or Heron's own reason. */
  diagnostic: string;
  /** Whether `diagnostic` is a remote server's SMTP reply. */
  fromRemote: boolean;
  /** The MX host whose reply `diagnostic` is. */
  remoteMta?: string;
  /** Said before the diagnostic in the human-readable part. */
  note?: string;
  lastAttemptAt?: number;
}

export interface DsnInput {
  /** Heron's host name (Reporting-MTA, the DSN's From domain). */
  reportingMta: string;
  /** Where the DSN goes: the original sender. */
  to: string;
  originalRaw: Buffer;
  arrivalDate: number;
  recipients: DsnRecipient[];
  /** For a delay notice: when Heron will give up. */
  willRetryUntil?: number;
}

// DSN fields are one line each; a server reply must not smuggle in more.
const field = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();

function originalHeader(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const block = end === -1 ? raw : raw.subarray(0, end + 2);
  // Non-ASCII bytes would need RFC 6533's message/global-headers; replaced for a plain text/rfc822-headers.
  return block.toString('latin1').replace(/[^\x09\x0a\x0d\x20-\x7e]/g, '?');
}

function deliveryStatus(input: DsnInput): string {
  const perMessage = [`Reporting-MTA: dns; ${field(input.reportingMta)}`, `Arrival-Date: ${new Date(input.arrivalDate).toUTCString()}`];
  const perRecipient = input.recipients.map((r) => {
    const lines = [`Final-Recipient: rfc822; ${field(r.address)}`, `Action: ${r.action}`, `Status: ${field(r.status)}`];
    if (r.remoteMta) lines.push(`Remote-MTA: dns; ${field(r.remoteMta)}`);
    // RFC 3464 §2.3.6: "smtp" only for a reply an SMTP server gave; Heron's own reasons
    // get a private type, as Postfix writes "X-Postfix;".
    lines.push(`Diagnostic-Code: ${r.fromRemote ? 'smtp' : 'X-Heron'}; ${field(r.diagnostic)}`);
    if (r.lastAttemptAt) lines.push(`Last-Attempt-Date: ${new Date(r.lastAttemptAt).toUTCString()}`);
    if (r.action === 'delayed' && input.willRetryUntil) lines.push(`Will-Retry-Until: ${new Date(input.willRetryUntil).toUTCString()}`);
    return lines.join('\r\n');
  });
  return [perMessage.join('\r\n'), ...perRecipient].join('\r\n\r\n') + '\r\n';
}

function explanation(input: DsnInput): string {
  const delayed = input.recipients.every((r) => r.action === 'delayed');
  const lines = delayed
    ? [
        `This is the mail system at ${input.reportingMta}.`,
        '',
        'Your message could not be delivered yet to the recipients below. It is still',
        `queued and will be retried until ${input.willRetryUntil ? new Date(input.willRetryUntil).toUTCString() : 'it expires'}.`,
        'You do not need to send it again.',
      ]
    : [
        `This is the mail system at ${input.reportingMta}.`,
        '',
        'Your message could not be delivered to the recipients below. This is a',
        'permanent error; the message will not be retried.',
      ];
  lines.push('');
  for (const r of input.recipients) lines.push(`<${field(r.address)}>: ${r.note ? `${r.note}: ` : ''}${field(r.diagnostic)}`);
  return lines.join('\r\n') + '\r\n';
}

export async function buildDsn(input: DsnInput): Promise<Buffer> {
  const delayed = input.recipients.every((r) => r.action === 'delayed');
  const root = new MimeNode('multipart/report; report-type=delivery-status');
  root.setHeader({
    From: `Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    To: input.to,
    Subject: delayed ? 'Delayed Mail (still being retried)' : 'Undelivered Mail Returned to Sender',
    Date: new Date(),
    'Auto-Submitted': 'auto-replied', // RFC 3834: never answered automatically
  });
  root.setHeader('Message-ID', `<${crypto.randomUUID()}@${input.reportingMta}>`);
  root.createChild('text/plain; charset=utf-8').setContent(explanation(input));
  root.createChild('message/delivery-status').setHeader('Content-Transfer-Encoding', '7bit').setContent(deliveryStatus(input));
  root.createChild('text/rfc822-headers').setHeader('Content-Transfer-Encoding', '7bit').setContent(originalHeader(input.originalRaw));
  return root.build();
}
