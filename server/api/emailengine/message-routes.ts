// EmailEngine's message reading routes for Heron's own accounts: a mailbox's
// messages newest first, paged; search; one message with its decoded text;
// its source; its text parts; an attachment. Sources and attachments are
// streamed from the store with backpressure, attachments decoded on the way.
import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  countMessages,
  decodeTransferChunks,
  listingColumns,
  pageOfUids,
  rawChunkSize,
  rawSize,
  readRawChunks,
  storeFlags,
  type Store,
} from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { accountFor } from './access.ts';
import { parseAttachmentId, parseTextId } from './ids.ts';
import { bodyOf, JoiBoolean, parse, pathParam, QueryInt, queryOf } from './input.ts';
import { selectableMailbox } from './mailboxes.ts';
import { messageDetails } from './message-info.ts';
import { decodeCursor, messageNotFound, messagePage, storedMessage } from './messages.ts';
import { fileName, findPart, isAttachment, messageParts } from './parts.ts';
import { SearchSchema, searchMailbox } from './search.ts';
import { readText } from './text.ts';

const TAG = 'mail API: messages';

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const PageQuery = z.object({
  path: z.string().min(1).max(1024),
  cursor: z.preprocess(emptyAsUndefined, z.string().max(1024 * 1024).optional()),
  page: QueryInt(0, 1024 * 1024).default(0),
  pageSize: QueryInt(1, 1000).default(20),
});
const PAGE_DOCS = [
  { name: 'path', description: 'mailbox path, or a special-use flag such as \\Sent' },
  { name: 'page', description: 'page number, from 0 (default 0)' },
  { name: 'pageSize', description: 'messages per page, 1-1000 (default 20)' },
  { name: 'cursor', description: 'nextPageCursor or prevPageCursor of an earlier answer (instead of page)' },
];

const TextType = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['plain', 'html', '*']));
const MaxBytes = QueryInt(0, 1024 * 1024 * 1024);
/** EmailEngine's HTML rewriting options; Heron does not rewrite HTML, so it says so rather than hand back unsanitized HTML. */
const Unsupported = JoiBoolean.refine((v) => v === false, 'Heron does not rewrite HTML; leave this option out').optional();
const MessageQuery = z.object({
  maxBytes: MaxBytes.optional(),
  textType: TextType.optional(),
  markAsSeen: JoiBoolean.default(false),
  webSafeHtml: Unsupported,
  embedAttachedImages: Unsupported,
  preProcessHtml: Unsupported,
  documentStore: JoiBoolean.optional(),
});
const TextQuery = z.object({ maxBytes: MaxBytes.optional(), textType: TextType.default('*'), webSafeHtml: Unsupported, documentStore: JoiBoolean.optional() });
const SearchBody = z.strictObject({ search: SearchSchema, documentQuery: z.unknown().optional() });


/** A file name in ASCII: accents dropped, anything else non-ASCII as "_". */
const asciiFileName = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');

export function messageRoutes(routes: DocumentedRoutes, store: Store): void {
  routes.add(
    { method: 'get', path: '/v1/account/:account/messages', summary: 'List the messages of a mailbox, newest first, paged (EmailEngine)', tag: TAG, auth: true, query: PAGE_DOCS },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'read');
      const q = parse(PageQuery, queryOf(ctx));
      const page = q.cursor !== undefined ? decodeCursor(q.cursor) : q.page;
      const mailbox = await selectableMailbox(store, account.id, q.path);
      const total = await countMessages(store, mailbox.id);
      const uids = await pageOfUids(store, mailbox.id, page * q.pageSize, q.pageSize);
      ctx.body = await messagePage(store, mailbox, uids, total, page, q.pageSize);
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/v1/account/:account/search',
      summary: "Search a mailbox with EmailEngine's search object (IMAP SEARCH semantics), newest first, paged",
      tag: TAG,
      auth: true,
      query: PAGE_DOCS,
      bodyType: 'json',
      body: z.toJSONSchema(SearchBody, { io: 'input', unrepresentable: 'any' }),
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'read');
      const q = parse(PageQuery, queryOf(ctx));
      const body = await bodyOf(ctx, SearchBody);
      if (body.documentQuery !== undefined) throw new HttpError(400, 'Bad Request', 'Invalid input: documentQuery: Requires Document Store to be enabled');
      const page = q.cursor !== undefined ? decodeCursor(q.cursor) : q.page;
      const mailbox = await selectableMailbox(store, account.id, q.path);
      const uids = (await searchMailbox(store, mailbox.id, body.search)).reverse();
      ctx.body = await messagePage(store, mailbox, uids.slice(page * q.pageSize, (page + 1) * q.pageSize), uids.length, page, q.pageSize);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/account/:account/message/:message',
      summary: 'One message: decoded addresses and subject, headers, attachments; its text with textType',
      tag: TAG,
      auth: true,
      query: [
        { name: 'textType', description: 'plain, html or * (both): include the decoded text' },
        { name: 'maxBytes', description: 'cut each kind of text at this many characters (text.hasMore is then true)' },
        { name: 'markAsSeen', description: 'true: add \\Seen (needs the write scope)' },
      ],
    },
    async (ctx) => {
      const q = parse(MessageQuery, queryOf(ctx));
      const { account } = await accountFor(ctx, store, q.markAsSeen ? 'write' : 'read');
      const { meta, mailbox } = await storedMessage(store, account.id, pathParam(ctx, 'message'));
      if (q.markAsSeen && !meta.flags.includes('\\Seen')) {
        const { changed } = await storeFlags(store, { mailboxId: mailbox.id, uids: [meta.uid], op: 'add', flags: ['\\Seen'] });
        if (changed[0]) meta.flags = changed[0].flags;
      }
      const columns = (await listingColumns(store, mailbox.id, [meta.uid])).get(meta.uid);
      if (!columns) throw messageNotFound();
      const details = await messageDetails(store, meta, columns, mailbox);
      if (q.textType) {
        const text = await readText(store, meta, messageParts(meta.referenceId, meta.root), q.textType, q.maxBytes);
        Object.assign(details.text, text);
      }
      ctx.body = details;
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/account/:account/message/:message/source',
      summary: 'The message exactly as stored (message/rfc822), streamed',
      tag: TAG,
      auth: true,
      response: { description: 'the raw message', media: 'message/rfc822', schema: { type: 'string', format: 'binary' } },
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'read');
      const { meta } = await storedMessage(store, account.id, pathParam(ctx, 'message'));
      const size = await rawSize(store, meta.rawId);
      if (size === null) throw messageNotFound();
      ctx.attachment('message.eml', { type: 'attachment' });
      ctx.set('Content-Type', 'message/rfc822');
      ctx.length = size;
      ctx.body = Readable.from(readRawChunks(store, meta.rawId, 0, size, rawChunkSize(store, size)), { objectMode: false });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/account/:account/text/:text',
      summary: 'The decoded text of a message (its text.id): plain and html, UTF-8',
      tag: TAG,
      auth: true,
      query: [
        { name: 'textType', description: 'plain, html or * (default *)' },
        { name: 'maxBytes', description: 'cut each kind at this many characters' },
      ],
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'read');
      const q = parse(TextQuery, queryOf(ctx));
      const messageId = parseTextId(pathParam(ctx, 'text'));
      if (!messageId) throw messageNotFound();
      const { meta } = await storedMessage(store, account.id, messageId);
      ctx.body = await readText(store, meta, messageParts(meta.referenceId, meta.root), q.textType, q.maxBytes);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/account/:account/attachment/:attachment',
      summary: 'An attachment, decoded (base64, quoted-printable) and streamed, with its Content-Type and file name',
      tag: TAG,
      auth: true,
      response: { description: 'the attachment', media: 'application/octet-stream', schema: { type: 'string', format: 'binary' } },
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'read');
      const notFound = () => new HttpError(404, 'Not Found', 'Requested attachment was not found', { code: 'AttachmentNotFound' });
      const ref = parseAttachmentId(pathParam(ctx, 'attachment'));
      if (!ref) throw notFound();
      const { meta } = await storedMessage(store, account.id, ref.messageId);
      const found = findPart(meta.root, ref.part);
      if (!found || !isAttachment(found.node)) throw notFound();
      const { node } = found;
      const name = fileName(node);
      // RFC 6266 §4.3: an ASCII filename for every client, the UTF-8 one in filename* when it differs.
      ctx.attachment(name, { type: 'attachment', fallback: name && asciiFileName(name) });
      const charset = node.type === 'text' && node.params.charset ? `; charset=${node.params.charset}` : '';
      ctx.set('Content-Type', `${node.type}/${node.subtype}${charset}`);
      const chunks = readRawChunks(store, meta.rawId, node.bodyStart, node.bodyEnd, rawChunkSize(store, node.size));
      ctx.body = Readable.from(decodeTransferChunks(chunks, node.encoding), { objectMode: false });
    },
  );
}
