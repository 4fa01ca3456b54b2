// QUOTA responses (RFC 9208 §5.1): one quota root per account, named "".
import type { AccountQuota } from '../../schema/index.ts';

/** The account's only quota root (RFC 9208 §3.2: any string; Dovecot and Stalwart also use ""). */
export const QUOTA_ROOT = '';

/** Bytes in the STORAGE resource's unit, 1024 octets (RFC 9208 §5.1), rounded down as Dovecot does. */
export const kibibytes = (bytes: number): number => Math.floor(bytes / 1024);

/**
 * `QUOTA "" (STORAGE used limit MESSAGE used limit)`: only resources with a
 * limit are listed (RFC 9208 §4.1.1), so an unlimited account gets `()`.
 */
export function quotaResponse(q: AccountQuota): string {
  const resources: string[] = [];
  if (q.storageLimitBytes !== null) resources.push(`STORAGE ${kibibytes(q.storageUsedBytes)} ${kibibytes(q.storageLimitBytes)}`);
  if (q.messageLimit !== null) resources.push(`MESSAGE ${q.messagesUsed} ${q.messageLimit}`);
  return `QUOTA "${QUOTA_ROOT}" (${resources.join(' ')})`;
}
