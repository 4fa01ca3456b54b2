// A client's line in a SASL exchange, the same on IMAP (RFC 3501 §6.2.2,
// RFC 4959) and SMTP (RFC 4954 §4): "*" cancels, "=" is an empty initial
// response, anything else must be base64.
export type SaslResponse = { kind: 'cancel' } | { kind: 'invalid' } | { kind: 'data'; data: Buffer };

export function parseSaslResponse(line: string): SaslResponse {
  if (line === '*') return { kind: 'cancel' };
  if (line === '=') return { kind: 'data', data: Buffer.alloc(0) };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(line)) return { kind: 'invalid' };
  return { kind: 'data', data: Buffer.from(line, 'base64') };
}
