// Mailbox names as stored: Unicode, hierarchy separated by "/", and INBOX
// spelled "INBOX" whatever case the client used (RFC 3501 §5.1).
import { StoreError } from './errors.ts';

export const HIERARCHY_DELIMITER = '/';
const MAX_NAME_LENGTH = 512;

/** Canonical form: "inbox" and "Inbox/x" become "INBOX" and "INBOX/x". */
export function normalizeMailboxName(name: string): string {
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  if (name.slice(0, 6).toUpperCase() === 'INBOX/') return 'INBOX/' + name.slice(6);
  return name;
}

/** Normalizes and checks a name a client wants to create; throws CANNOT when unusable. */
export function validMailboxName(name: string): string {
  const normalized = normalizeMailboxName(name.normalize('NFC'));
  if (
    normalized.length === 0 ||
    normalized.length > MAX_NAME_LENGTH ||
    normalized.startsWith('/') ||
    normalized.endsWith('/') ||
    normalized.includes('//') ||
    // Control characters and the LIST wildcards cannot be part of a name.
    /[\u0000-\u001f\u007f*%]/.test(normalized)
  ) {
    throw new StoreError('CANNOT', `invalid mailbox name`);
  }
  return normalized;
}

/** "a/b/c" → ["a", "a/b"]. */
export function parentNames(name: string): string[] {
  const parts = name.split(HIERARCHY_DELIMITER);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join(HIERARCHY_DELIMITER));
  return out;
}
