// emailId and threadId (RFC 8474 EMAILID/THREADID, which EmailEngine reports
// and searches by) until the store assigns them itself. An adapter, to be
// replaced at merge by the store's own values (the OBJECTID work: a thread_id
// column set at delivery, an emailId derived from the stored bytes):
// - emailId: "M" and 24 hex digits of the SHA-256 of the stored message, so
//   copies and moved messages keep it (RFC 8474 §5.1);
// - threadId: "T" and 24 hex digits of the SHA-256 of the thread's first
//   Message-ID as this message names it (the first of References, else
//   In-Reply-To, else its own Message-ID).
import crypto from 'node:crypto';
import { parseHeaderFields, type MessageMeta, readRawRange, type Store } from '../../../schema/index.ts';

/** Header bytes read for References; a longer header is cut here (the first id comes first anyway). */
const MAX_HEADER_READ = 256 * 1024;

const digest = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 24);

export const emailIdOf = (hash: string): string => `M${hash.slice(0, 24)}`;

const firstId = (value: string | undefined): string | undefined => /<[^<>\s]+>/.exec(value ?? '')?.[0];

export async function threadIdOf(store: Store, meta: Pick<MessageMeta, 'rawId' | 'root' | 'envelope'>, hash: string): Promise<string> {
  const header = await readRawRange(store, meta.rawId, 0, Math.min(meta.root.bodyStart, MAX_HEADER_READ));
  const fields = parseHeaderFields(header);
  const value = (key: string) => fields.find((f) => f.key === key)?.value;
  const root = firstId(value('references')) ?? firstId(value('in-reply-to')) ?? firstId(meta.envelope.messageId ?? undefined);
  return `T${root ? digest(root) : hash.slice(0, 24)}`;
}
