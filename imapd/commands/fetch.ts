// FETCH and UID FETCH (RFC 3501 §6.4.5, §7.4.2), with CHANGEDSINCE and MODSEQ
// (RFC 7162 §3.1.4–5). Messages are read in batches so a FETCH 1:* on a large
// mailbox streams instead of loading everything.
import { getMessageRowsFor, getMessages, type MessageMeta, type MessageRow, readRaw, storeFlags } from '../../schema/index.ts';
import { type FetchItem, parseFetchItems, type SectionItem } from '../parser/fetch-items.ts';
import { renderBodyStructure } from '../mime/bodystructure.ts';
import { renderEnvelope } from '../mime/envelope.ts';
import { extractSection } from '../mime/section.ts';
import { formatDateTime, type SequenceSet } from '../parser/args.ts';
import { ParseError } from '../parser/tokens.ts';
import { literal } from '../render/quote.ts';
import type { Session } from '../session.ts';
import { defineCommand, SELECTED } from './command.ts';

/** Messages per store read: small when bodies are read, large for flags-only fetches. */
const BATCH = { raw: 250, meta: 1000, light: 5000 } as const;

export default defineCommand({
  name: 'FETCH',
  states: SELECTED,
  uid: true,
  parse(args, line) {
    const set: SequenceSet = args.sequenceSet();
    const items = parseFetchItems(args.next('FETCH items'));
    let changedSince: number | null = null;
    if (args.more) {
      const mods = args.list('FETCH modifiers');
      if (mods.length !== 2 || mods[0].t !== 'atom' || mods[0].v.toUpperCase() !== 'CHANGEDSINCE' || mods[1].t !== 'atom' || !/^\d+$/.test(mods[1].v)) {
        throw new ParseError('invalid FETCH modifier');
      }
      changedSince = Number(mods[1].v);
    }
    args.end();
    // RFC 3501 §6.4.8: UID FETCH always returns UID; CHANGEDSINCE implies MODSEQ.
    if (line.uid && !items.some((i) => i.kind === 'UID')) items.unshift({ kind: 'UID' });
    if (changedSince !== null && !items.some((i) => i.kind === 'MODSEQ')) items.push({ kind: 'MODSEQ' });
    return { set, items, changedSince };
  },
  async run(session, { set, items, changedSince }, line) {
    const sel = session.selected!;
    const store = session.deps.store;
    if (changedSince !== null || items.some((i) => i.kind === 'MODSEQ')) session.condstore = true;
    const uids = session.resolve(set, line.uid);
    const needMeta = items.some((i) => i.kind === 'ENVELOPE' || i.kind === 'BODY' || i.kind === 'BODYSTRUCTURE' || (i.kind === 'section' && i.spec !== null));
    const needRaw = items.some((i) => i.kind === 'section');
    const setsSeen = !sel.readOnly && items.some((i) => i.kind === 'section' && i.setsSeen);
    const withFlags = items.some((i) => i.kind === 'FLAGS');
    const batchSize = needRaw ? BATCH.raw : needMeta ? BATCH.meta : BATCH.light;
    for (let i = 0; i < uids.length; i += batchSize) {
      const batch = uids.slice(i, i + batchSize);
      let seenNow = new Set<number>();
      if (setsSeen) {
        const result = await storeFlags(store, { mailboxId: sel.mailbox.id, uids: batch, op: 'add', flags: ['\\Seen'] });
        for (const c of result.changed) sel.ownModseqs.add(c.modseq);
        seenNow = new Set(result.changed.map((c) => c.uid));
      }
      const rows: Array<MessageRow & Partial<MessageMeta>> = needMeta
        ? await getMessages(store, sel.mailbox.id, batch)
        : await getMessageRowsFor(store, sel.mailbox.id, batch);
      if (withFlags || seenNow.size > 0) session.announceKeywords(rows.flatMap((r) => r.flags));
      for (const row of rows) {
        if (changedSince !== null && row.modseq <= changedSince) continue;
        const raw = needRaw ? await readRaw(store, row.rawId) : null;
        const parts: string[] = [];
        for (const item of items) parts.push(renderItem(session, item, row, raw));
        // RFC 3501 §6.4.5: when \Seen gets set, the new FLAGS are reported too.
        if (seenNow.has(row.uid) && !withFlags) parts.push(`FLAGS ${session.flagsOf(row.uid, row.flags)}`);
        session.writer.untagged(`${session.seqOf(row.uid)} FETCH (${parts.join(' ')})`);
      }
      await session.writer.drain();
    }
  },
});

function renderItem(session: Session, item: FetchItem, row: MessageRow & Partial<MessageMeta>, raw: Buffer | null): string {
  switch (item.kind) {
    case 'UID':
      return `UID ${row.uid}`;
    case 'FLAGS':
      return `FLAGS ${session.flagsOf(row.uid, row.flags)}`;
    case 'INTERNALDATE':
      return `INTERNALDATE "${formatDateTime(row.internalDate)}"`;
    case 'RFC822.SIZE':
      return `RFC822.SIZE ${row.size}`;
    case 'MODSEQ':
      return `MODSEQ (${row.modseq})`;
    case 'ENVELOPE':
      return `ENVELOPE ${renderEnvelope(row.envelope!)}`;
    case 'BODY':
      return `BODY ${renderBodyStructure(row.root!, false)}`;
    case 'BODYSTRUCTURE':
      return `BODYSTRUCTURE ${renderBodyStructure(row.root!, true)}`;
    case 'section':
      return `${item.responseName} ${literal(sectionBytes(item, row, raw!))}`;
  }
}

function sectionBytes(item: SectionItem, row: Partial<MessageMeta>, raw: Buffer): Buffer {
  const whole = item.spec === null ? raw : extractSection(raw, row.root!, item.spec);
  if (!item.partial) return whole;
  // RFC 3501 §6.4.5: an origin past the end gives an empty string.
  return whole.subarray(Math.min(item.partial.start, whole.length), Math.min(item.partial.start + item.partial.length, whole.length));
}
