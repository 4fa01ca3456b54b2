// EmailEngine's search object, answered as EmailEngine answers it for an IMAP
// account: translated into IMAP SEARCH keys (what ImapFlow sends) and
// evaluated by the IMAP server's own SEARCH evaluator over the mailbox as a
// fresh SELECT would see it. emailId/threadId/emailIds are checked after it,
// through object-ids.ts, until the store and the evaluator know those ids.
import { z } from 'zod';
import { getMessages, listingColumns, listUids, type Store } from '../../../schema/index.ts';
import { parseSequenceSet } from '../../../imapd/parser/args.ts';
import type { SearchKey } from '../../../imapd/parser/search-keys.ts';
import { ParseError } from '../../../imapd/parser/tokens.ts';
import { evaluateSearch } from '../../../imapd/search/evaluate.ts';
import { HttpError } from '../errors.ts';
import { JoiBoolean, JoiDate, single } from './input.ts';
import { emailIdOf, threadIdOf } from './object-ids.ts';

const Text = z.string().max(256);
const Size = z.number().int().min(0).max(1024 * 1024 * 1024);
const ObjectId = z.string().min(1).max(256);

/** EmailEngine's searchSchema, field by field (lib/schemas.js). */
export const SearchSchema = z.strictObject({
  seq: z.string().max(8 * 1024).optional(),
  answered: JoiBoolean.optional(),
  deleted: JoiBoolean.optional(),
  draft: JoiBoolean.optional(),
  unseen: JoiBoolean.optional(),
  flagged: JoiBoolean.optional(),
  seen: JoiBoolean.optional(),
  from: Text.optional(),
  to: Text.optional(),
  cc: Text.optional(),
  bcc: Text.optional(),
  body: Text.optional(),
  subject: z.string().max(10 * 256).optional(),
  larger: Size.optional(),
  smaller: Size.optional(),
  uid: z.string().max(8 * 1024).optional(),
  modseq: z.number().int().min(0).optional(),
  before: JoiDate.optional(),
  since: JoiDate.optional(),
  sentBefore: JoiDate.optional(),
  sentSince: JoiDate.optional(),
  emailId: ObjectId.optional(),
  threadId: ObjectId.optional(),
  // `true` asks for the header to be present (HEADER name "").
  header: z.record(z.string().min(1).max(256), z.union([z.string().max(1024), z.literal(true)])).optional(),
  gmailRaw: z.string().max(1024).optional(),
  labels: z.strictObject({ has: single(z.string().max(128)).optional(), not: single(z.string().max(128)).optional() }).optional(),
  emailIds: single(ObjectId, 1000).optional(),
});
export type SearchQuery = z.output<typeof SearchSchema>;

const utcDay = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
};

function sequenceSet(text: string, field: string) {
  try {
    return parseSequenceSet(text.replace(/\s+/g, ''));
  } catch (err) {
    if (err instanceof ParseError) throw new HttpError(400, 'Bad Request', `Invalid input: ${field}: ${err.message}`, { fields: [{ message: err.message, key: field }] });
    throw err;
  }
}

/** The IMAP SEARCH keys (ANDed) of a search object, as ImapFlow builds its SEARCH command. */
export function searchKeys(q: SearchQuery): SearchKey[] {
  if (q.gmailRaw !== undefined || q.labels !== undefined) {
    throw new HttpError(422, 'Unprocessable Entity', 'gmailRaw and labels need a Gmail or MS Graph account', { code: 'MissingServerExtension' });
  }
  const keys: SearchKey[] = [];
  const flag = (name: string, present: boolean | undefined) => present !== undefined && keys.push({ k: 'flag', flag: name, present });
  if (q.seq !== undefined) keys.push({ k: 'seq', set: sequenceSet(q.seq, 'seq') });
  flag('\\Answered', q.answered);
  flag('\\Deleted', q.deleted);
  flag('\\Draft', q.draft);
  flag('\\Flagged', q.flagged);
  flag('\\Seen', q.seen);
  flag('\\Seen', q.unseen === undefined ? undefined : !q.unseen);
  for (const column of ['from', 'to', 'cc', 'bcc', 'subject'] as const) {
    const value = q[column];
    if (value !== undefined) keys.push({ k: 'column', column, value });
  }
  if (q.body !== undefined) keys.push({ k: 'text', field: 'body', value: q.body });
  if (q.larger !== undefined) keys.push({ k: 'size', larger: true, n: q.larger });
  if (q.smaller !== undefined) keys.push({ k: 'size', larger: false, n: q.smaller });
  if (q.uid !== undefined) keys.push({ k: 'uid', set: sequenceSet(q.uid, 'uid') });
  if (q.modseq !== undefined) keys.push({ k: 'modseq', n: q.modseq });
  // RFC 3501 §6.4.4: BEFORE/SINCE compare days (SINCE includes the day itself).
  if (q.before !== undefined) keys.push({ k: 'date', sent: false, op: 'before', day: utcDay(q.before) });
  if (q.since !== undefined) keys.push({ k: 'date', sent: false, op: 'since', day: utcDay(q.since) });
  if (q.sentBefore !== undefined) keys.push({ k: 'date', sent: true, op: 'before', day: utcDay(q.sentBefore) });
  if (q.sentSince !== undefined) keys.push({ k: 'date', sent: true, op: 'since', day: utcDay(q.sentSince) });
  for (const [name, value] of Object.entries(q.header ?? {})) keys.push({ k: 'header', field: name.toLowerCase(), value: value === true ? '' : value });
  return keys;
}

/** Messages read at once when checking emailId/threadId. */
const ID_BATCH = 200;

async function filterByObjectIds(store: Store, mailboxId: number, uids: number[], q: SearchQuery): Promise<number[]> {
  const emailIds = new Set([...(q.emailId !== undefined ? [q.emailId] : []), ...(q.emailIds ?? [])]);
  // emailId and emailIds both given: a message must match emailId and be one of emailIds.
  const wantsEmail = (id: string) => (q.emailId === undefined || id === q.emailId) && (q.emailIds === undefined || q.emailIds.includes(id));
  if (emailIds.size === 0 && q.threadId === undefined) return uids;
  const out: number[] = [];
  for (let i = 0; i < uids.length; i += ID_BATCH) {
    const batch = uids.slice(i, i + ID_BATCH);
    const columns = await listingColumns(store, mailboxId, batch);
    const metas = q.threadId === undefined ? [] : await getMessages(store, mailboxId, batch);
    const metaOf = new Map(metas.map((m) => [m.uid, m]));
    for (const uid of batch) {
      const c = columns.get(uid);
      if (!c) continue;
      if (emailIds.size > 0 && !wantsEmail(emailIdOf(c.hash))) continue;
      const meta = metaOf.get(uid);
      if (q.threadId !== undefined && (!meta || (await threadIdOf(store, meta, c.hash)) !== q.threadId)) continue;
      out.push(uid);
    }
  }
  return out;
}

/** UIDs (ascending) of the mailbox's messages matching the search object. */
export async function searchMailbox(store: Store, mailboxId: number, q: SearchQuery): Promise<number[]> {
  const keys = searchKeys(q);
  const key: SearchKey = keys.length === 0 ? { k: 'all' } : keys.length === 1 ? keys[0] : { k: 'and', keys };
  // The mailbox as a fresh SELECT sees it: every UID (for sequence numbers), nothing \Recent for this reader.
  const uids = await listUids(store, mailboxId);
  const found = await evaluateSearch({ deps: { store }, selected: { mailbox: { id: mailboxId }, uids, recent: new Set() } }, key);
  return filterByObjectIds(store, mailboxId, found.uids, q);
}
