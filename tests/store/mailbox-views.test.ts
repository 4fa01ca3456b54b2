// The shared mailbox views (schema/store/mailbox-views.ts): after any mix of
// appends, flag changes, copies, moves and expunges — made through this store,
// or through another store on the same database as another node would, with
// no notification reaching this one — a refreshed view holds exactly what the
// database holds, and its change log is the journal's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  appendMessage,
  appendPipelined,
  changesSince,
  closeStore,
  copyMessages,
  createMailbox,
  deleteMailbox,
  expungeMessages,
  findMailbox,
  MailboxViews,
  type MailboxView,
  type MailBoxRow,
  moveMessages,
  openStore,
  setAccountQuota,
  updateWebhookSettings,
  type Store,
  storeFlags,
} from '../../schema/index.ts';
import { failInserts } from '../helpers/database.ts';
import { message, storeFixture, type StoreFixture } from '../helpers/store.ts';

const KEYWORDS = ['$Junk', '$Forwarded', 'work', 'Work', '$label1'];
const SYSTEM = ['\\Seen', '\\Flagged', '\\Deleted', '\\Answered', '\\Draft'];

/** What the database holds for a mailbox: UID → [MODSEQ, flags JSON]. */
async function truth(store: Store, mailboxId: number): Promise<Array<[number, number, string[]]>> {
  const rows = await store.all<{ uid: number; modseq: number; flags: string }>(`SELECT uid, modseq, flags FROM mail WHERE mail_box_id = ? ORDER BY uid`, mailboxId);
  return rows.map((r) => [r.uid, r.modseq, JSON.parse(r.flags) as string[]]);
}

function contents(view: MailboxView): Array<[number, number, string[]]> {
  const out: Array<[number, number, string[]]> = [];
  for (let i = 0; i < view.size; i++) out.push([view.uidAt(i), view.modseqAt(i), [...view.flagsAt(i).flags]]);
  return out;
}

const watcher = () => {
  const seen: number[] = [];
  return { seen, mailboxChanged: (m: number) => void seen.push(m) };
};

type Op =
  | { k: 'append'; n: number; flags: string[] }
  | { k: 'flags'; pick: number[]; op: 'set' | 'add' | 'remove'; flags: string[] }
  | { k: 'expunge'; pick: number[] }
  | { k: 'copyIn'; pick: number[] }
  | { k: 'moveOut'; pick: number[] };

const flagArb = fc.subarray([...SYSTEM, ...KEYWORDS], { maxLength: 4 });
const pickArb = fc.array(fc.nat(60), { minLength: 1, maxLength: 6 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('append' as const), n: fc.integer({ min: 1, max: 4 }), flags: flagArb }),
  fc.record({ k: fc.constant('flags' as const), pick: pickArb, op: fc.constantFrom('set' as const, 'add' as const, 'remove' as const), flags: flagArb }),
  fc.record({ k: fc.constant('expunge' as const), pick: pickArb }),
  fc.record({ k: fc.constant('copyIn' as const), pick: pickArb }),
  fc.record({ k: fc.constant('moveOut' as const), pick: pickArb }),
);

/** Runs one operation through `store` on `box` (`other` is a second mailbox of the account). */
async function run(store: Store, box: MailBoxRow, other: MailBoxRow, op: Op, n: number): Promise<void> {
  const uids = async (id: number) => (await truth(store, id)).map((r) => r[0]);
  const pick = (all: number[], picks: number[]) => [...new Set(picks.map((p) => all[p % all.length]))].filter((u) => u !== undefined);
  switch (op.k) {
    case 'append':
      for (let i = 0; i < op.n; i++) await appendMessage(store, { mailboxId: box.id, raw: message(`m${n}-${i}`), flags: op.flags });
      return;
    case 'flags': {
      const chosen = pick(await uids(box.id), op.pick);
      if (chosen.length) await storeFlags(store, { mailboxId: box.id, uids: chosen, op: op.op, flags: op.flags });
      return;
    }
    case 'expunge': {
      const chosen = pick(await uids(box.id), op.pick);
      if (chosen.length) await expungeMessages(store, { mailboxId: box.id, uids: chosen, force: true });
      return;
    }
    case 'copyIn': {
      const source = await uids(other.id);
      if (source.length === 0) await appendMessage(store, { mailboxId: other.id, raw: message(`o${n}`), flags: ['$Junk'] });
      const chosen = pick(await uids(other.id), op.pick);
      await copyMessages(store, { sourceMailboxId: other.id, uids: chosen, targetMailboxId: box.id });
      return;
    }
    case 'moveOut': {
      const chosen = pick(await uids(box.id), op.pick);
      if (chosen.length) await moveMessages(store, { sourceMailboxId: box.id, uids: chosen, targetMailboxId: other.id });
      return;
    }
  }
}

describe('a mailbox view', () => {
  let f: StoreFixture;
  let views: MailboxViews;
  let box: MailBoxRow;
  let other: MailBoxRow;
  before(async () => {
    f = await storeFixture();
    views = new MailboxViews(f.store);
    box = (await findMailbox(f.store, f.account.id, 'INBOX'))!;
    other = await createMailbox(f.store, f.account.id, 'Other');
  });
  after(async () => {
    views.close();
    await f.cleanup();
  });

  test('after any changes, a refreshed view holds what the database holds, and its log is the journal', { timeout: 240_000 }, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), fc.boolean(), async (ops, reopenBetween) => {
        const w = watcher();
        const view = await views.open(box, w);
        try {
          const from = view.modseq;
          assert.deepEqual(contents(view), await truth(f.store, box.id), 'loaded');
          for (const op of ops) {
            await run(f.store, box, other, op, n++);
            if (reopenBetween) await view.refresh();
          }
          await view.refresh();
          assert.deepEqual(contents(view), await truth(f.store, box.id));
          assert.deepEqual(view.changesSince(from), await changesSince(f.store, box.id, from));
          assert.equal(view.changesSince(view.modseq)!.length, 0);
          // Every commit to the mailbox was told to the watcher, with its MODSEQ.
          if (view.modseq > from) assert.equal(Math.max(...w.seen), view.modseq);
        } finally {
          views.release(view, w);
        }
      }),
      { numRuns: 25 },
    );
  });

  test("this store's commits are applied from their notifications: the view is current as each write returns, with no read", async () => {
    const w = watcher();
    const view = await views.open(box, w);
    try {
      const from = view.modseq;
      // No refresh between the writes: only the notifications can have brought these.
      const m = await appendMessage(f.store, { mailboxId: box.id, raw: message('told'), flags: ['\\Seen', 'work'] });
      assert.equal(view.modseq, m.modseq, 'a delivery');
      assert.ok(view.indexOf(m.uid) >= 0 && view.flagsAt(view.indexOf(m.uid)).has('work'));
      const stored = await storeFlags(f.store, { mailboxId: box.id, uids: [m.uid], op: 'add', flags: ['\\Flagged'] });
      assert.equal(view.modseq, stored.changed[0].modseq, 'a flag change');
      assert.ok(view.flagsAt(view.indexOf(m.uid)).has('\\Flagged'));
      await expungeMessages(f.store, { mailboxId: box.id, uids: [m.uid], force: true });
      assert.equal(view.indexOf(m.uid), -1, 'an expunge');
      assert.deepEqual(contents(view), await truth(f.store, box.id));
      assert.deepEqual(view.changesSince(from), await changesSince(f.store, box.id, from), 'the log is the journal');
      // A change too large to carry (flags on 300 messages) is read at the next refresh instead.
      const many = await appendPipelined(
        f.store,
        Array.from({ length: 300 }, (_, i) => ({ mailboxId: box.id, messages: [{ raw: message(`many ${i}`) }] })),
      );
      await view.refresh();
      const uids = many.flatMap((r) => (r.status === 'fulfilled' ? r.value.uids : []));
      assert.equal(uids.length, 300);
      const big = await storeFlags(f.store, { mailboxId: box.id, uids, op: 'add', flags: ['$label1'] });
      assert.ok(view.modseq < big.changed[0].modseq, 'not carried: the view waits for a read');
      await view.refresh();
      assert.equal(view.modseq, big.changed[0].modseq);
      assert.deepEqual(contents(view), await truth(f.store, box.id));
      assert.deepEqual(view.changesSince(from), await changesSince(f.store, box.id, from));
    } finally {
      views.release(view, w);
    }
  });

  test('commits through another store on the same database (another node) are seen at the next refresh, with no notification', async () => {
    const otherNode = await openStore(f.location);
    try {
      const w = watcher();
      const view = await views.open(box, w);
      const before = view.modseq;
      const a = await appendMessage(otherNode, { mailboxId: box.id, raw: message('from the other node') });
      await storeFlags(otherNode, { mailboxId: box.id, uids: [a.uid], op: 'add', flags: ['\\Flagged', 'work'] });
      // On SQLite nothing crosses stores; on PostgreSQL the notification may still be on its way.
      await view.refresh();
      assert.deepEqual(contents(view), await truth(f.store, box.id));
      const i = view.indexOf(a.uid);
      assert.ok(i >= 0);
      assert.ok(view.flagsAt(i).has('\\Flagged') && view.flagsAt(i).has('WORK'), 'keywords compare case-insensitively');
      assert.deepEqual(
        view.changesSince(before)!.map((c) => c.kind),
        ['new', 'flags'],
      );
      await expungeMessages(otherNode, { mailboxId: box.id, uids: [a.uid], force: true });
      await view.refresh();
      assert.equal(view.indexOf(a.uid), -1);
      views.release(view, w);
    } finally {
      await closeStore(otherNode);
    }
  });

  test('many sessions at one moment share one view and one claim of \\Recent', async () => {
    const fresh = await createMailbox(f.store, f.account.id, 'Claims');
    await appendMessage(f.store, { mailboxId: fresh.id, raw: message('claim me') });
    const watchers = Array.from({ length: 20 }, watcher);
    const opened = await Promise.all(watchers.map((w) => views.open(fresh, w)));
    assert.ok(opened.every((v) => v === opened[0]), 'one view for the mailbox');
    const top = opened[0].uidAt(opened[0].size - 1);
    const claims = await Promise.all(opened.map((v) => v.claimRecent(top)));
    assert.equal(claims.filter((c) => c !== null).length, 1, 'exactly one session gets \\Recent');
    assert.equal(await opened[0].recentUid(), top);
    for (const w of watchers) views.release(opened[0], w);
  });

  test('flag sets that churn are dropped, the flags stay right', async () => {
    const churn = await createMailbox(f.store, f.account.id, 'Churn');
    const a = await appendMessage(f.store, { mailboxId: churn.id, raw: message('churn') });
    const w = watcher();
    const view = await views.open(churn, w);
    for (let i = 0; i < 150; i++) {
      await storeFlags(f.store, { mailboxId: churn.id, uids: [a.uid], op: 'set', flags: [`k${i}`, '\\Seen'] });
      await view.refresh();
    }
    assert.deepEqual([...view.flagsAt(0).flags], ['\\Seen', 'k149']);
    assert.deepEqual(view.keywordsInUse(), ['k149']);
    assert.deepEqual(contents(view), await truth(f.store, churn.id));
    views.release(view, w);
  });

  test('a deleted mailbox is gone for its view', async () => {
    const doomed = await createMailbox(f.store, f.account.id, 'Doomed');
    const w = watcher();
    const view = await views.open(doomed, w);
    await deleteMailbox(f.store, f.account.id, 'Doomed');
    assert.ok(w.seen.includes(Infinity), 'the watcher was told');
    await view.refresh();
    assert.equal(view.gone, true);
    views.release(view, w);
  });
});

describe('pipelined APPENDs in one transaction', () => {
  let f: StoreFixture;
  before(async () => (f = await storeFixture()));
  after(() => f.cleanup());

  test('UIDs ascend in the order given; a refused message is refused alone, the others are stored', async () => {
    const box = (await findMailbox(f.store, f.account.id, 'INBOX'))!;
    await updateWebhookSettings(f.store, { enabled: true, url: 'http://127.0.0.1:9/hooks' });
    const first = await appendPipelined(f.store, [
      ...['a', 'b'].map((s) => ({ mailboxId: box.id, messages: [{ raw: message(s), flags: ['\\Seen'] }] })),
      // A MULTIAPPEND among them: its messages get consecutive UIDs.
      { mailboxId: box.id, messages: [{ raw: message('c') }, { raw: message('d') }] },
    ]);
    const uids = first.flatMap((r) => (r.status === 'fulfilled' ? r.value.uids : [-1]));
    assert.deepEqual(uids, [uids[0], uids[0] + 1, uids[0] + 2, uids[0] + 3]);

    const undo = await failInserts(f.store, 'mail', `NEW.subject = 'refused'`);
    try {
      const mixed = await appendPipelined(f.store, [
        { mailboxId: box.id, messages: [{ raw: message('kept 1') }] },
        { mailboxId: box.id, messages: [{ raw: message('refused') }] },
        { mailboxId: 999_999, messages: [{ raw: message('no such mailbox') }] },
        { mailboxId: box.id, messages: [{ raw: message('kept 2') }] },
      ]);
      assert.deepEqual(
        mixed.map((r) => r.status),
        ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
      );
    } finally {
      await undo();
    }
    // RFC 9208 §4.2: over the quota, the commands that still fit are stored and the rest refused, as if each ran alone.
    const held = await f.store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM mail WHERE mail_account_id = ?`, f.account.id);
    await setAccountQuota(f.store, f.account.id, { messages: Number(held!.n) + 2 });
    try {
      const quota = await appendPipelined(f.store, [
        { mailboxId: box.id, messages: [{ raw: message('fits 1') }] },
        { mailboxId: box.id, messages: [{ raw: message('over 1') }, { raw: message('over 2') }] },
        { mailboxId: box.id, messages: [{ raw: message('fits 2') }] },
        { mailboxId: box.id, messages: [{ raw: message('over 3') }] },
      ]);
      assert.deepEqual(
        quota.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'stored')),
        ['stored', 'OVERQUOTA', 'stored', 'OVERQUOTA'],
      );
    } finally {
      await setAccountQuota(f.store, f.account.id, { messages: null });
    }
    const subjects = await f.store.column<string>(`SELECT subject FROM mail WHERE mail_box_id = ? ORDER BY uid`, box.id);
    assert.deepEqual(subjects, ['a', 'b', 'c', 'd', 'kept 1', 'kept 2', 'fits 1', 'fits 2']);
    // A messageNew webhook for each message stored, none for those refused.
    const queued = await f.store.column<string>(`SELECT data FROM webhook_event WHERE event = 'messageNew' ORDER BY id`);
    assert.equal(queued.length, subjects.length);
    // The ledger charged exactly the messages stored.
    const used = await f.store.get<{ used_messages: number; n: number }>(
      `SELECT used_messages, (SELECT COUNT(*) FROM mail WHERE mail_account_id = a.id) AS n FROM mail_account a WHERE a.id = ?`,
      f.account.id,
    );
    assert.equal(Number(used!.used_messages), Number(used!.n));
  });
});
