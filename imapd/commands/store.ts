// STORE and UID STORE (RFC 3501 §6.4.6), .SILENT, and UNCHANGEDSINCE with
// [MODIFIED] (RFC 7162 §3.1.3).
import { storeFlags } from '../../schema/index.ts';
import { flagsFrom, type SequenceSet } from '../parser/args.ts';
import { ParseError } from '../parser/tokens.ts';
import { compactSet } from '../render/sequence-set.ts';
import { ImapResponse } from '../response.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'STORE',
  states: SELECTED,
  uid: true,
  parse(args) {
    const set: SequenceSet = args.sequenceSet();
    let unchangedSince: number | undefined;
    if (args.peek()?.t === 'list') {
      const mods = args.list('store modifiers');
      if (mods.length !== 2 || mods[0].t !== 'atom' || mods[0].v.toUpperCase() !== 'UNCHANGEDSINCE' || mods[1].t !== 'atom' || !/^\d+$/.test(mods[1].v)) {
        throw new ParseError('invalid STORE modifier');
      }
      unchangedSince = Number(mods[1].v);
    }
    const item = args.atom('STORE item').toUpperCase();
    const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
    if (!m) throw new ParseError('invalid STORE item');
    const rest: string[] = [];
    if (args.peek()?.t === 'list') rest.push(...flagsFrom(args.next('flags')));
    else while (args.more) rest.push(...flagsFrom(args.next('flag')));
    args.end();
    if (rest.some((f) => f.toLowerCase() === '\\recent')) throw new ParseError('\\Recent cannot be stored');
    return { set, op: m[1] === '+' ? ('add' as const) : m[1] === '-' ? ('remove' as const) : ('set' as const), silent: !!m[2], flags: rest, unchangedSince };
  },
  async run(session, { set, op, silent, flags, unchangedSince }, line) {
    const sel = session.selected!;
    if (sel.readOnly) throw new ImapResponse('NO', 'Mailbox is read-only', 'READ-ONLY');
    if (unchangedSince !== undefined) session.condstore = true;
    const uids = session.resolve(set, line.uid);
    if (uids.length === 0) return;
    const result = await storeFlags(session.deps.store, { mailboxId: sel.mailbox.id, uids, op, flags, unchangedSince });
    for (const c of result.changed) sel.ownModseqs.add(c.modseq);
    const changed = new Set(result.changed.map((c) => c.uid));
    // Without .SILENT every named message reports its flags; with it, only
    // CONDSTORE needs to hear of the new MODSEQ (RFC 7162 §3.1.3).
    if (!silent || session.condstore) {
      const modified = new Set(result.modified);
      // As this STORE left them (its own write read them): no second read.
      const rows = result.current;
      if (!silent) session.announceKeywords(rows.flatMap((r) => r.flags));
      for (const row of rows) {
        if (modified.has(row.uid)) continue;
        if (silent && !changed.has(row.uid)) continue;
        const parts = [];
        if (line.uid) parts.push(`UID ${row.uid}`);
        if (!silent) parts.push(`FLAGS ${session.flagsOf(row.uid, row.flags)}`);
        if (session.condstore) parts.push(`MODSEQ (${row.modseq})`);
        session.writer.untagged(`${session.seqOf(row.uid)} FETCH (${parts.join(' ')})`);
      }
      await session.writer.drain();
    }
    if (result.modified.length > 0) {
      const ids = line.uid ? result.modified : result.modified.map((u) => session.seqOf(u)).sort((a, b) => a - b);
      return { code: `MODIFIED ${compactSet(ids)}`, text: 'Conditional STORE failed for some messages' };
    }
  },
});
