// MAIL FROM and RCPT TO addresses under the one address rule (schema/address.ts).
// smtp-server has already checked the gross syntax and turned A-label domains
// into U-labels; the rule turns them back, so lookups see the stored form.
import { type MailAddress, parseMailAddress } from '../../schema/index.ts';
import { smtpError } from '../enhanced-codes.ts';

export function parseEnvelopeAddress(address: string, role: 'sender' | 'recipient', smtpUtf8: boolean): MailAddress {
  // RFC 6531 §3.4: without the SMTPUTF8 parameter the envelope is ASCII. The
  // domain cannot be judged here (smtp-server decodes A-labels), so only the
  // local part is held to it.
  const parsed = parseMailAddress(address, { utf8: smtpUtf8 });
  if (parsed.ok) return parsed.value;
  if (parsed.problem === 'utf8') {
    throw smtpError(553, '5.6.7', `<${address}>: non-ASCII addresses need the SMTPUTF8 parameter on MAIL FROM (RFC 6531)`);
  }
  // RFC 3463: X.1.7 bad sender's, X.1.3 bad destination mailbox address syntax.
  throw smtpError(501, role === 'sender' ? '5.1.7' : '5.1.3', `<${address}>: ${parsed.error}`);
}
