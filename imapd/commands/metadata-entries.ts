// Shared by GETMETADATA and LIST's METADATA return option (RFC 5464, RFC 9590):
// which mailbox a name means, and the entries a request reads, from the store
// (the account's own) and from the configuration (the server's /shared entries).
import { findMailbox, type MetadataDepth, type MetadataEntry, readMetadata, SERVER_ENTRIES } from '../../schema/index.ts';
import { metadataResponse, type EntryValue } from '../render/metadata.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';

/** Value bytes in one METADATA response line; more entries go out in further lines (RFC 5464 §4.4.1 allows several). */
const RESPONSE_BYTES = 64 * 1024;

/**
 * The mail_box id behind a mailbox argument: SERVER_ENTRIES for "" (RFC 5464
 * §3.2), else one of the account's own selectable mailboxes. Without ACLs the
 * owner is the only user who reaches a mailbox's entries, /private and /shared alike.
 */
export async function metadataTarget(session: Session, mailbox: string | null): Promise<number> {
  if (mailbox === '') return SERVER_ENTRIES;
  const box = mailbox === null ? undefined : await findMailbox(session.deps.store, session.account!.id, mailbox);
  if (!box || box.noselect) throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
  return box.id;
}

/** The server's /shared entries at `name` and below (to `depth`), from the configuration. */
function configuredEntries(session: Session, name: string, depth: MetadataDepth, maxSize: number): MetadataEntry[] {
  const levels = name.split('/').length;
  const out: MetadataEntry[] = [];
  for (const [entry, value] of session.deps.serverMetadata) {
    const below = entry.startsWith(name + '/') && (depth === 'infinity' || (depth === 1 && entry.split('/').length === levels + 1));
    if (entry === name || below) out.push({ name: entry, size: value.length, value: value.length <= maxSize ? value : null });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * The entries to answer with, and the size of the longest value left out for
 * being longer than maxSize (0 when none: RFC 5464 §4.2.1 LONGENTRIES). RFC
 * 5464 §4.2.2: DEPTH 0 asks for the entries themselves, each NIL when it has
 * no value; with DEPTH 1 or infinity only entries that exist are returned.
 */
export async function lookupEntries(
  session: Session,
  mailboxId: number,
  names: readonly string[],
  depth: MetadataDepth,
  maxSize = Infinity,
): Promise<{ entries: EntryValue[]; longest: number }> {
  const configured = mailboxId === SERVER_ENTRIES ? names.filter((n) => n === '/shared' || n.startsWith('/shared/')) : [];
  const stored = names.filter((n) => !configured.includes(n));
  const rows = [
    ...configured.flatMap((name) => configuredEntries(session, name, depth, maxSize)),
    ...(stored.length > 0 ? await readMetadata(session.deps.store, session.account!.id, mailboxId, stored, depth, maxSize) : []),
  ];
  const found = new Map<string, Buffer | null>();
  let longest = 0;
  if (depth === 0) for (const name of names) found.set(name, null);
  for (const row of rows) {
    if (row.value !== null) found.set(row.name, row.value);
    else {
      longest = Math.max(longest, row.size);
      found.delete(row.name);
    }
  }
  return { entries: [...found].map(([name, value]) => ({ name, value })), longest };
}

/** Writes the entries as METADATA responses, several when their values are large. */
export function writeMetadata(session: Session, mailbox: string, entries: readonly EntryValue[]): void {
  let batch: EntryValue[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (batch.length > 0 && bytes + (entry.value?.length ?? 0) > RESPONSE_BYTES) {
      session.writer.untagged(metadataResponse(mailbox, batch, session.utf8));
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += entry.value?.length ?? 0;
  }
  if (batch.length > 0) session.writer.untagged(metadataResponse(mailbox, batch, session.utf8));
}
