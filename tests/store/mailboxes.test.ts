import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  appendMessage,
  createMailAccount,
  createMailbox,
  deleteMailAccount,
  deleteMailbox,
  findMailbox,
  listMailboxes,
  listMessageSummaries,
  mailboxStatus,
  renameMailbox,
  setSubscribed,
  StoreError,
  verifyMailAccountLogin,
} from '../../schema/index.ts';
import { message, storeFixture, type StoreFixture } from '../helpers/store.ts';

const names = async (f: StoreFixture) => (await listMailboxes(f.store, f.account.id)).map((b) => b.name);

describe('accounts', () => {
  let f: StoreFixture;
  before(async () => (f = await storeFixture()));
  after(() => f.cleanup());

  test('a new account has INBOX, Sent, Drafts, Trash and Junk, special-use set and subscribed', async () => {
    const boxes = await listMailboxes(f.store, f.account.id);
    const byName = Object.fromEntries(boxes.map((b) => [b.name, b]));
    assert.deepEqual(Object.keys(byName).sort(), ['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    assert.equal(byName.Sent.special_use, '\\Sent');
    assert.equal(byName.Drafts.special_use, '\\Drafts');
    assert.equal(byName.Trash.special_use, '\\Trash');
    assert.equal(byName.Junk.special_use, '\\Junk');
    assert.equal(byName.INBOX.special_use, null);
    assert.ok(boxes.every((b) => b.subscribed));
    assert.equal(new Set(boxes.map((b) => b.uidvalidity)).size, 5, 'UIDVALIDITY differs per mailbox');
  });

  test('passwords are scrypt hashes; login checks them', async () => {
    const row = (await f.store.get<{ password_hash: string }>('SELECT password_hash FROM mail_account WHERE id = ?', f.account.id))!;
    assert.match(row.password_hash, /^scrypt\$16384\$8\$1\$/);
    assert.ok(!row.password_hash.includes('alice-password'));
    assert.equal((await verifyMailAccountLogin(f.store, 'ALICE@example.test', 'alice-password'))?.id, f.account.id);
    assert.equal(await verifyMailAccountLogin(f.store, 'alice@example.test', 'wrong'), null);
    assert.equal(await verifyMailAccountLogin(f.store, 'nobody@example.test', 'alice-password'), null);
  });

  test('a duplicate account is refused', async () => {
    await assert.rejects(
      createMailAccount(f.store, { username: 'Alice@Example.test', password: 'x', mailServerId: f.account.mail_server_id }),
      (e: unknown) => e instanceof StoreError && e.code === 'ALREADYEXISTS',
    );
  });

  test('deleting an account removes its mailboxes and mail', async () => {
    const bob = await createMailAccount(f.store, { username: 'bob@example.test', password: 'pw', mailServerId: f.account.mail_server_id });
    const bobInbox = await findMailbox(f.store, bob.id, 'INBOX');
    assert.ok(bobInbox);
    await appendMessage(f.store, { mailboxId: bobInbox.id, raw: message('for bob') });
    await deleteMailAccount(f.store, bob.id);
    assert.equal((await listMailboxes(f.store, bob.id)).length, 0);
    const n = (await f.store.get<{ n: number }>('SELECT count(*) n FROM mail WHERE mail_account_id = ?', bob.id))!;
    assert.equal(n.n, 0);
  });
});

describe('mailbox hierarchy (RFC 3501 §6.3)', () => {
  let f: StoreFixture;
  before(async () => (f = await storeFixture()));
  after(() => f.cleanup());

  test('CREATE makes missing parents and refuses duplicates and bad names', async () => {
    await createMailbox(f.store, f.account.id, 'Work/2026/Q4');
    assert.ok((await names(f)).includes('Work') && (await names(f)).includes('Work/2026'));
    await assert.rejects(createMailbox(f.store, f.account.id, 'Work'), (e: unknown) => e instanceof StoreError && e.code === 'ALREADYEXISTS');
    await assert.rejects(createMailbox(f.store, f.account.id, 'inbox'), (e: unknown) => e instanceof StoreError && e.code === 'ALREADYEXISTS');
    for (const bad of ['', '/lead', 'trail/', 'a//b', 'tab\tname', 'star*', 'pct%']) {
      await assert.rejects(createMailbox(f.store, f.account.id, bad), (e: unknown) => e instanceof StoreError && e.code === 'CANNOT', bad);
    }
    const unicode = await createMailbox(f.store, f.account.id, 'Entwürfe/日本');
    assert.equal(unicode.name, 'Entwürfe/日本');
  });

  test('RENAME moves children along and keeps messages and UIDVALIDITY', async () => {
    const q4 = await findMailbox(f.store, f.account.id, 'Work/2026/Q4');
    assert.ok(q4);
    await appendMessage(f.store, { mailboxId: q4.id, raw: message('q4 report') });
    await renameMailbox(f.store, f.account.id, 'Work', 'Archive/Work');
    const all = await names(f);
    assert.ok(all.includes('Archive/Work/2026/Q4'));
    assert.ok(!all.some((n) => n.startsWith('Work')));
    const moved = await findMailbox(f.store, f.account.id, 'Archive/Work/2026/Q4');
    assert.equal(moved?.id, q4.id);
    assert.equal(moved?.uidvalidity, q4.uidvalidity);
    assert.equal((await listMessageSummaries(f.store, q4.id)).length, 1);
    await assert.rejects(renameMailbox(f.store, f.account.id, 'Archive', 'Archive/Inside'), (e: unknown) => e instanceof StoreError && e.code === 'CANNOT');
    await assert.rejects(renameMailbox(f.store, f.account.id, 'Missing', 'Other'), (e: unknown) => e instanceof StoreError && e.code === 'NONEXISTENT');
    await assert.rejects(renameMailbox(f.store, f.account.id, 'Sent', 'Trash'), (e: unknown) => e instanceof StoreError && e.code === 'ALREADYEXISTS');
  });

  test('renaming INBOX moves its messages to a new mailbox and leaves INBOX empty', async () => {
    const inbox = await findMailbox(f.store, f.account.id, 'INBOX');
    assert.ok(inbox);
    await createMailbox(f.store, f.account.id, 'INBOX/Child');
    await appendMessage(f.store, { mailboxId: inbox.id, raw: message('old 1'), flags: ['\\Seen'] });
    await appendMessage(f.store, { mailboxId: inbox.id, raw: message('old 2') });
    const uidnextBefore = (await mailboxStatus(f.store, inbox.id)).uidnext;
    const renamed = await renameMailbox(f.store, f.account.id, 'inbox', 'Old Inbox');
    assert.notEqual(renamed.id, inbox.id);
    assert.equal((await listMessageSummaries(f.store, inbox.id)).length, 0, 'INBOX empty');
    const moved = await listMessageSummaries(f.store, renamed.id);
    assert.equal(moved.length, 2);
    assert.deepEqual(moved[0].flags, ['\\Seen']);
    const status = await mailboxStatus(f.store, inbox.id);
    assert.equal(status.uidnext, uidnextBefore, 'INBOX keeps its UID counter');
    assert.ok((await names(f)).includes('INBOX/Child'), "INBOX's children stay");
  });

  test('DELETE: INBOX refused; a mailbox with children becomes \\Noselect', async () => {
    await assert.rejects(deleteMailbox(f.store, f.account.id, 'INBOX'), (e: unknown) => e instanceof StoreError && e.code === 'CANNOT');
    const parent = await createMailbox(f.store, f.account.id, 'Parent');
    await createMailbox(f.store, f.account.id, 'Parent/Kid');
    await appendMessage(f.store, { mailboxId: parent.id, raw: message('in parent') });
    await deleteMailbox(f.store, f.account.id, 'Parent');
    const after = await findMailbox(f.store, f.account.id, 'Parent');
    assert.equal(after?.noselect, true);
    assert.equal((await listMessageSummaries(f.store, parent.id)).length, 0);
    await assert.rejects(appendMessage(f.store, { mailboxId: parent.id, raw: message('x') }), /does not exist/);
    await assert.rejects(deleteMailbox(f.store, f.account.id, 'Parent'), (e: unknown) => e instanceof StoreError && e.code === 'INUSE');
    await deleteMailbox(f.store, f.account.id, 'Parent/Kid');
    await deleteMailbox(f.store, f.account.id, 'Parent');
    assert.equal(await findMailbox(f.store, f.account.id, 'Parent'), undefined);
    await assert.rejects(deleteMailbox(f.store, f.account.id, 'Parent'), (e: unknown) => e instanceof StoreError && e.code === 'NONEXISTENT');
  });

  test('SUBSCRIBE state is stored', async () => {
    await setSubscribed(f.store, f.account.id, 'Junk', false);
    assert.equal((await findMailbox(f.store, f.account.id, 'Junk'))?.subscribed, false);
    await assert.rejects(setSubscribed(f.store, f.account.id, 'Nope', true), (e: unknown) => e instanceof StoreError && e.code === 'NONEXISTENT');
  });
});
