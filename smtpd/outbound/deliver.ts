// One SMTP transaction to one destination address: EHLO with our hostname,
// STARTTLS when offered, MAIL FROM, RCPT TO for every recipient, DATA once.
// The SMTP itself is nodemailer's SMTPConnection; this file turns its replies
// into a result per recipient.
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface TransactionInput {
  /** Address to connect to (already resolved). */
  address: string;
  /** The MX host name: SNI and what the logs and DSNs name. */
  mxHost: string;
  port: number;
  heloName: string;
  tlsStrict: boolean;
  envelopeFrom: string;
  recipients: string[];
  raw: Buffer;
}

export interface RecipientResult {
  status: 'sent' | 'deferred' | 'failed';
  /** The server's reply code; 0 when Heron decided without a reply. */
  code: number;
  enhanced: string;
  response: string;
}

export type TransactionResult =
  /** No SMTP conversation took place (refused, timed out, TLS failed, bad greeting): try the next host. */
  | { kind: 'unreachable'; error: string }
  | { kind: 'done'; results: Map<string, RecipientResult>; secure: boolean };

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ').trim().slice(0, 1000);

function enhancedOf(response: string, code: number): string {
  const m = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(response);
  if (m) return m[1];
  return code >= 500 ? '5.0.0' : '4.0.0';
}

function fromReply(response: string, code: number): RecipientResult {
  const text = oneLine(response);
  return { status: code >= 500 ? 'failed' : code >= 400 ? 'deferred' : 'sent', code, enhanced: enhancedOf(text, code), response: text };
}

/** Heron refuses to send (code 0: the server said nothing of the kind) because the destination lacks an extension. */
function ownVerdict(input: TransactionInput, enhanced: string, extension: string): RecipientResult {
  return { status: 'failed', code: 0, enhanced, response: `${input.mxHost} does not offer ${extension}, which this message needs` };
}

/** A result for every recipient that says the same thing. */
function all(recipients: string[], result: RecipientResult): Map<string, RecipientResult> {
  return new Map(recipients.map((r) => [r, result]));
}

const nonAscii = (s: string) => /[^\x00-\x7f]/.test(s);

function headerBlock(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  return end === -1 ? raw : raw.subarray(0, end);
}

function hasEightBit(buf: Buffer): boolean {
  for (const byte of buf) if (byte > 0x7f) return true;
  return false;
}

function extensions(ehlo: string): Set<string> {
  return new Set(
    ehlo
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.replace(/^\d{3}[ -]/, '').split(' ')[0].toUpperCase()),
  );
}

export async function runTransaction(input: TransactionInput): Promise<TransactionResult> {
  const conn = new SMTPConnection({
    host: input.address,
    port: input.port,
    name: input.heloName,
    servername: input.mxHost,
    // Opportunistic STARTTLS (RFC 3207 §4): encrypt when offered; unless strict,
    // any certificate is accepted and a failed upgrade continues in plaintext.
    opportunisticTLS: !input.tlsStrict,
    tls: { rejectUnauthorized: input.tlsStrict, servername: input.mxHost },
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 5 * 60_000,
    logger: false,
  });
  let closed = false;
  conn.once('end', () => {
    closed = true;
  });
  // Errors during a send reach its callback; errors before the handshake is over come only as events.
  conn.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      conn.once('error', reject);
      conn.once('end', () => reject(new Error('connection closed before the SMTP handshake finished')));
      conn.connect((err) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    conn.close();
    return { kind: 'unreachable', error: oneLine(`${input.mxHost}[${input.address}]:${input.port}: ${(err as Error).message}`) };
  }
  try {
    const ext = extensions(typeof conn.lastServerResponse === 'string' ? conn.lastServerResponse : '');
    // RFC 6531 §3.4: internationalized addresses need SMTPUTF8 on the receiving side.
    const needsUtf8 = nonAscii(input.envelopeFrom) || input.recipients.some(nonAscii) || hasEightBit(headerBlock(input.raw));
    if (needsUtf8 && !ext.has('SMTPUTF8')) {
      return { kind: 'done', secure: conn.secure, results: all(input.recipients, ownVerdict(input, '5.6.7', 'SMTPUTF8')) };
    }
    // RFC 6152 §3: 8-bit content goes only to a server that announces 8BITMIME.
    // Downgrading would break the DKIM signature, so the message is returned instead.
    const eightBit = hasEightBit(input.raw);
    if (eightBit && !ext.has('8BITMIME')) {
      return { kind: 'done', secure: conn.secure, results: all(input.recipients, ownVerdict(input, '5.6.3', '8BITMIME')) };
    }
    const info = await new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
      conn.send(
        { from: input.envelopeFrom, to: input.recipients, use8BitMime: eightBit, size: input.raw.length },
        input.raw,
        (err, sent) => (err ? reject(err) : resolve(sent as SMTPConnection.SentMessageInfo)),
      ),
    ).catch((err: SmtpError) => err);
    if (info instanceof Error) return { kind: 'done', secure: conn.secure, results: failureResults(input, info) };
    const results = new Map<string, RecipientResult>();
    const accepted = fromReply(info.response, Number(/^\d{3}/.exec(info.response)?.[0] ?? 250));
    for (const r of info.accepted) results.set(r, accepted);
    for (const e of (info.rejectedErrors ?? []) as SmtpError[]) {
      if (e.recipient) results.set(e.recipient, fromReply(e.response ?? '', e.responseCode ?? 451));
    }
    return { kind: 'done', secure: conn.secure, results };
  } finally {
    if (!closed) conn.quit();
    setTimeout(() => conn.close(), 1000).unref();
  }
}

/** Maps a failed send to per-recipient results. */
function failureResults(input: TransactionInput, err: SmtpError): Map<string, RecipientResult> {
  if (!err.responseCode) {
    // The connection broke mid-transaction: nothing was accepted, try again later.
    return all(input.recipients, { status: 'deferred', code: 0, enhanced: '4.4.2', response: oneLine(`${input.mxHost}: ${err.message}`) });
  }
  const results = all(input.recipients, fromReply(err.response ?? `${err.responseCode} ${err.message}`, err.responseCode));
  for (const e of err.rejectedErrors ?? []) {
    if (e.recipient) results.set(e.recipient, fromReply(e.response ?? '', e.responseCode ?? 451));
  }
  return results;
}
