// smtp-server picks the enhanced status code (RFC 3463) from the reply code
// alone, so a 550 always says 5.1.1 even when the reason is 5.5.2 or 5.7.1.
// Heron's handlers put the precise code at the start of their message
// ("5.7.1 Relay access denied"); this wraps SMTPConnection#send so that such a
// message is sent as written instead of getting a second, generic code.
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

const EXPLICIT = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;

export function installExplicitEnhancedCodes(): void {
  if (installed) return;
  installed = true;
  const original = SMTPConnection.prototype.send;
  SMTPConnection.prototype.send = function send(this: SMTPConnection, code, data, context) {
    const explicit = typeof data === 'string' && EXPLICIT.test(data);
    return original.call(this, code, data, explicit ? false : context);
  };
}

/** An error smtp-server turns into a reply: `code` plus "x.y.z text". */
export function smtpError(code: number, enhanced: string, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code });
}
