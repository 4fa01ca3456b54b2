// Channel binding data for SCRAM-SHA-256-PLUS from the server's end of a TLS
// connection: `tls-exporter` (RFC 9266, TLS 1.3 only) and
// `tls-server-end-point` (RFC 5929 §4, the hash of the server's certificate).
import crypto from 'node:crypto';
import type tls from 'node:tls';
import forge from 'node-forge';

export const CHANNEL_BINDING_TYPES = ['tls-exporter', 'tls-server-end-point'] as const;

// RFC 5929 §4.1: the certificate's signature hash, SHA-256 in place of MD5 or SHA-1.
const HASH_BY_SIGNATURE_OID: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** The hash RFC 5929 names for a DER certificate, or null (RSASSA-PSS, EdDSA: no rule to follow). */
export function endPointHash(der: Buffer): string | null {
  try {
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }
    const cert = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    const algorithm = (cert.value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[];
    const oid = forge.asn1.derToOid(forge.util.createBuffer(algorithm[0].value as string));
    return HASH_BY_SIGNATURE_OID[oid] ?? null;
  } catch {
    return null;
  }
}

/** The cb-data for `type` on this connection, or null when that binding is not available here. */
export function channelBindingData(socket: tls.TLSSocket, type: string): Buffer | null {
  if (type === 'tls-exporter') {
    // RFC 9266 §3: only where the exporter is safe without extended master secret, i.e. TLS 1.3.
    if (socket.getProtocol() !== 'TLSv1.3') return null;
    return socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
  }
  if (type === 'tls-server-end-point') {
    const raw = (socket.getCertificate() as tls.PeerCertificate | null)?.raw;
    if (!raw) return null;
    const hash = endPointHash(raw);
    return hash ? crypto.createHash(hash).update(raw).digest() : null;
  }
  return null;
}
