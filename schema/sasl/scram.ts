// SCRAM-SHA-256 (RFC 5802, RFC 7677): the cryptographic functions and the
// message grammar (RFC 5802 §7), shared by IMAP AUTHENTICATE and SMTP AUTH.
// Pure functions of bytes and strings; the exchange is in scram-exchange.ts.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { saslprep } from './saslprep.ts';

const pbkdf2 = promisify(crypto.pbkdf2);

/** RFC 7677 §4: at least 4096; clients pay this on every login. */
export const SCRAM_ITERATIONS = 4096;
export const SCRAM_SALT_BYTES = 16;
/** Any one client message, decoded (a username, a nonce and a proof fit in far less). */
export const SCRAM_MAX_MESSAGE = 2048;
const MAX_NONCE = 256;

export interface ScramVerifier {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export const hmac = (key: Buffer, data: string | Buffer): Buffer => crypto.createHmac('sha256', key).update(data).digest();
export const sha256 = (data: Buffer): Buffer => crypto.createHash('sha256').update(data).digest();

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** RFC 5802 §2.2 Hi() is PBKDF2 with HMAC as the PRF and one block of output. */
export async function saltedPassword(password: string, salt: Buffer, iterations: number): Promise<Buffer | null> {
  const normalized = saslprep(password);
  if (normalized === null) return null;
  return pbkdf2(Buffer.from(normalized, 'utf8'), salt, iterations, 32, 'sha256');
}

/** RFC 5802 §3: ClientKey, StoredKey and ServerKey from SaltedPassword. */
export function keysFromSaltedPassword(salted: Buffer): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const clientKey = hmac(salted, 'Client Key');
  return { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

/** The verifier stored for a password; null when SASLprep refuses the password (SCRAM then fails for it). */
export async function makeScramVerifier(password: string, salt: Buffer = crypto.randomBytes(SCRAM_SALT_BYTES), iterations = SCRAM_ITERATIONS): Promise<ScramVerifier | null> {
  const salted = await saltedPassword(password, salt, iterations);
  if (!salted) return null;
  const { storedKey, serverKey } = keysFromSaltedPassword(salted);
  return { salt, iterations, storedKey, serverKey };
}

/** RFC 5802 §3: the client proves ClientKey; H(ClientProof XOR ClientSignature) must be StoredKey. */
export function proofMatches(verifier: ScramVerifier, authMessage: string, proof: Buffer): boolean {
  if (proof.length !== verifier.storedKey.length) return false;
  const clientKey = xor(proof, hmac(verifier.storedKey, authMessage));
  return crypto.timingSafeEqual(sha256(clientKey), verifier.storedKey);
}

export const serverSignature = (serverKey: Buffer, authMessage: string): Buffer => hmac(serverKey, authMessage);

// ------------------------------------------------------------------ grammar

export class ScramSyntaxError extends Error {}

/** RFC 5802 §5.1 saslname: "," and "=" are sent as "=2C" and "=3D"; any other "=" is invalid. */
export function decodeSaslName(value: string): string {
  if (/=(?!2C|3D)/.test(value)) throw new ScramSyntaxError('invalid saslname escape');
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export const encodeSaslName = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

/** A canonical base64 string (RFC 4648 §4, padded), as SCRAM's c= and p= attributes are. */
export function decodeBase64(value: string): Buffer {
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new ScramSyntaxError('invalid base64');
  return Buffer.from(value, 'base64');
}

/** One attribute "x=value": its name and value; the name is one letter (RFC 5802 §7 attr-val). */
function attribute(part: string | undefined, name: string): string {
  if (part === undefined || part[0] !== name || part[1] !== '=') throw new ScramSyntaxError(`expected ${name}=`);
  return part.slice(2);
}

/** RFC 5802 §7 printable, minus ",": the characters a nonce may use. */
function checkNonce(nonce: string): string {
  if (nonce.length === 0 || nonce.length > MAX_NONCE || !/^[\x21-\x2B\x2D-\x7E]+$/.test(nonce)) throw new ScramSyntaxError('invalid nonce');
  return nonce;
}

/** RFC 5802 §7 extensions: attr-val pairs this server ignores. */
function checkExtensions(parts: string[]): void {
  for (const extension of parts) {
    if (!/^[A-Za-z]=/.test(extension)) throw new ScramSyntaxError('invalid attribute');
  }
}

export type ChannelBindingFlag = { kind: 'n' } | { kind: 'y' } | { kind: 'p'; type: string };

export interface ClientFirst {
  /** gs2-header as sent: the client repeats it inside c= of its final message. */
  gs2Header: string;
  binding: ChannelBindingFlag;
  authzid: string | null;
  username: string;
  nonce: string;
  /** client-first-message-bare, part of AuthMessage. */
  bare: string;
}

/** RFC 5802 §7 client-first-message. */
export function parseClientFirst(message: string): ClientFirst {
  const parts = message.split(',');
  if (parts.length < 4) throw new ScramSyntaxError('client-first-message too short');
  const [flag, authzidPart] = parts;
  let binding: ChannelBindingFlag;
  if (flag === 'n' || flag === 'y') binding = { kind: flag };
  else if (flag.startsWith('p=') && /^[A-Za-z0-9.-]+$/.test(flag.slice(2))) binding = { kind: 'p', type: flag.slice(2) };
  else throw new ScramSyntaxError('invalid gs2-cbind-flag');
  const authzid = authzidPart === '' ? null : decodeSaslName(attribute(authzidPart, 'a'));
  const gs2Header = `${flag},${authzidPart},`;
  const bare = message.slice(gs2Header.length);
  // RFC 5802 §5.1: a mandatory extension ("m=") this server does not know fails the exchange.
  if (parts[2].startsWith('m=')) throw new ScramSyntaxError('unsupported mandatory extension');
  const username = decodeSaslName(attribute(parts[2], 'n'));
  if (username === '') throw new ScramSyntaxError('empty username');
  const nonce = checkNonce(attribute(parts[3], 'r'));
  checkExtensions(parts.slice(4));
  return { gs2Header, binding, authzid, username, nonce, bare };
}

export interface ClientFinal {
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof, part of AuthMessage. */
  withoutProof: string;
}

/** RFC 5802 §7 client-final-message: c=, r=, any extensions, then p= last. */
export function parseClientFinal(message: string): ClientFinal {
  const parts = message.split(',');
  if (parts.length < 3) throw new ScramSyntaxError('client-final-message too short');
  const channelBinding = decodeBase64(attribute(parts[0], 'c'));
  const nonce = checkNonce(attribute(parts[1], 'r'));
  const last = parts[parts.length - 1];
  const proof = decodeBase64(attribute(last, 'p'));
  checkExtensions(parts.slice(2, -1));
  return { channelBinding, nonce, proof, withoutProof: message.slice(0, message.length - last.length - 1) };
}

export const formatServerFirst = (nonce: string, salt: Buffer, iterations: number): string => `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
