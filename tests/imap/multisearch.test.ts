// MULTISEARCH (RFC 7377): ESEARCH IN (source options) over the account's
// mailboxes, one `* ESEARCH (TAG MAILBOX UIDVALIDITY) UID …` per mailbox with a
// match, in the authenticated state too; the RFC's example; every source
// option; SAVE and UPDATE rules; bad input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, expectBad, message, untagged, untaggedOk as ok, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

const mail = (subject: string) => message(subject);

/** Creates the mailboxes and returns each one's UIDVALIDITY. */
async function create(c: RawClient, names: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of names) {
    if (!['INBOX', 'Junk', 'Trash', 'Sent', 'Drafts'].includes(name)) assert.match(await c.command('c', `CREATE "${name}"`), /c OK /, name);
    const status = (await ok(c, `STATUS "${name}" (UIDVALIDITY)`))[0];
    out[name] = Number(/UIDVALIDITY (\d+)/.exec(status)![1]);
  }
  return out;
}

describe('MULTISEARCH', () => {
  test("RFC 7377 §3's example: mailboxes and subtree, mailboxes and subtree-one, pipelined", DEADLINE, async () => {
    const { user, id } = await imap().account();
    const c = await imap().login(user);
    const v = await create(c, ['folder1', 'folder2', 'folder2/banana', 'folder2/peach', 'folder2/salmon', 'folder2/salmon/deep', 'folder3']);
    const put = async (box: string, subject: string, seen: boolean) => imap().deliver(id, box, mail(subject), seen ? ['\\Seen'] : []);
    await put('folder1', 'about chad', false); // folder1: 1 unseen chad, 2 seen, 3 unseen
    await put('folder1', 'other', true);
    await put('folder1', 'other', false);
    await put('folder2', 'all read', true);
    await put('folder2/banana', 'chad again', false);
    await put('folder2/peach', 'x', true);
    await put('folder2/peach', 'y', false);
    await put('folder2/salmon', 'CHAD', true);
    await put('folder2/salmon/deep', 'chad deep', false);
    await put('folder3', 'chad elsewhere', false);
    c.write('tag1 ESEARCH IN (mailboxes "folder1" subtree "folder2") unseen\r\ntag2 ESEARCH IN (mailboxes "folder1" subtree-one "folder2") subject "chad"\r\n');
    const first = await c.waitTagged('tag1');
    const second = await c.waitTagged('tag2');
    assert.deepEqual(untagged(first), [
      `* ESEARCH (TAG "tag1" MAILBOX "folder1" UIDVALIDITY ${v.folder1}) UID ALL 1,3`,
      `* ESEARCH (TAG "tag1" MAILBOX "folder2/banana" UIDVALIDITY ${v['folder2/banana']}) UID ALL 1`,
      `* ESEARCH (TAG "tag1" MAILBOX "folder2/peach" UIDVALIDITY ${v['folder2/peach']}) UID ALL 2`,
      `* ESEARCH (TAG "tag1" MAILBOX "folder2/salmon/deep" UIDVALIDITY ${v['folder2/salmon/deep']}) UID ALL 1`,
    ]);
    assert.match(first, /tag1 OK /);
    assert.deepEqual(untagged(second), [
      `* ESEARCH (TAG "tag2" MAILBOX "folder1" UIDVALIDITY ${v.folder1}) UID ALL 1`,
      `* ESEARCH (TAG "tag2" MAILBOX "folder2/banana" UIDVALIDITY ${v['folder2/banana']}) UID ALL 1`,
      `* ESEARCH (TAG "tag2" MAILBOX "folder2/salmon" UIDVALIDITY ${v['folder2/salmon']}) UID ALL 1`,
    ]);
    // Nothing matches anywhere: no untagged response, just OK (§2.1).
    assert.deepEqual(await ok(c, 'ESEARCH IN (personal) SUBJECT "no such subject"'), []);
  });

  test('personal, inboxes, subscribed; a name that does not exist, is \\Noselect, or is another account\'s is skipped', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const other = await imap().account();
    const c = await imap().login(user);
    const v = await create(c, ['INBOX', 'Junk', 'Trash', 'Work', 'Work/2024', 'Archive']);
    for (const box of ['INBOX', 'Junk', 'Trash', 'Work/2024', 'Archive']) await imap().deliver(id, box, mail(`hello ${box}`));
    // "Work" becomes \Noselect once deleted with a child.
    await imap().deliver(id, 'Work', mail('hello Work'));
    await ok(c, 'DELETE Work');
    await ok(c, 'UNSUBSCRIBE Archive');
    const theirs = await imap().login(other.user);
    await ok(theirs, 'CREATE Secret');
    await imap().deliver(other.id, 'Secret', mail('hello secret'));
    await imap().deliver(other.id, 'INBOX', mail('hello theirs'));
    const line = (box: string) => `* ESEARCH (TAG "t" MAILBOX "${box}" UIDVALIDITY ${v[box]}) UID COUNT 1`;
    assert.deepEqual(await ok(c, 'ESEARCH IN (personal) RETURN (COUNT) SUBJECT hello'), ['Archive', 'INBOX', 'Junk', 'Trash', 'Work/2024'].map(line));
    assert.deepEqual(await ok(c, 'ESEARCH IN (inboxes) RETURN (COUNT) SUBJECT hello'), ['INBOX', 'Junk'].map(line));
    assert.deepEqual(await ok(c, 'ESEARCH IN (subscribed) RETURN (COUNT) SUBJECT hello'), ['INBOX', 'Junk', 'Trash', 'Work/2024'].map(line));
    assert.deepEqual(await ok(c, 'ESEARCH IN (mailboxes (Nowhere Secret Work inbox) subtree Work) RETURN (COUNT) SUBJECT hello'), ['INBOX', 'Work/2024'].map(line));
    // Each mailbox once however many specifiers name it.
    assert.deepEqual(await ok(c, 'ESEARCH IN (inboxes personal mailboxes INBOX) RETURN (COUNT) SUBJECT hello'), ['Archive', 'INBOX', 'Junk', 'Trash', 'Work/2024'].map(line));
  });

  test('works in the authenticated state; "selected" (or no IN) needs a selected mailbox', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', mail('one'));
    await imap().deliver(id, 'INBOX', mail('two'), ['\\Flagged']);
    const c = await imap().login(user);
    const v = await create(c, ['INBOX']);
    assert.deepEqual(await ok(c, 'ESEARCH IN (mailboxes INBOX) RETURN (MIN MAX COUNT) ALL'), [`* ESEARCH (TAG "t" MAILBOX "INBOX" UIDVALIDITY ${v.INBOX}) UID MIN 1 MAX 2 COUNT 2`]);
    assert.match(await c.command('b', 'ESEARCH ALL'), /^b BAD /m);
    assert.match(await c.command('b', 'ESEARCH IN (selected personal) ALL'), /^b BAD /m);
    await ok(c, 'EXAMINE INBOX');
    // Without IN: the selected mailbox, in UIDs, with all three correlators (§2.1).
    assert.deepEqual(await ok(c, 'ESEARCH FLAGGED'), [`* ESEARCH (TAG "t" MAILBOX "INBOX" UIDVALIDITY ${v.INBOX}) UID ALL 2`]);
    assert.deepEqual(await ok(c, 'ESEARCH IN (selected) RETURN () 1'), [`* ESEARCH (TAG "t" MAILBOX "INBOX" UIDVALIDITY ${v.INBOX}) UID ALL 1`]);
    // Message numbers in the criteria count in each mailbox; a range past the end is no error.
    await imap().deliver(id, 'Trash', mail('t1'));
    assert.deepEqual(await ok(c, 'ESEARCH IN (mailboxes (INBOX Trash)) RETURN (COUNT) 2:100'), [`* ESEARCH (TAG "t" MAILBOX "INBOX" UIDVALIDITY ${v.INBOX}) UID COUNT 1`]);
    // The criteria are parsed as SEARCH's, CHARSET included.
    const trash = (await create(c, ['Trash'])).Trash;
    assert.deepEqual(await ok(c, 'ESEARCH IN (mailboxes (INBOX Trash)) CHARSET UTF-8 SUBJECT {2+}\r\nt1'), [`* ESEARCH (TAG "t" MAILBOX "Trash" UIDVALIDITY ${trash}) UID ALL 1`]);
    assert.match(await c.command('n', 'ESEARCH IN (personal) CHARSET KOI8-R ALL'), /^n NO \[BADCHARSET/m);
  });

  test('SAVE only with the selected mailbox alone; UPDATE only in the selected mailbox', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (let n = 1; n <= 3; n++) await imap().deliver(id, 'INBOX', mail(`s${n}`), n === 2 ? [] : ['\\Flagged']);
    await imap().deliver(id, 'Trash', mail('trash'), ['\\Flagged']);
    const c = await imap().login(user);
    const v = await create(c, ['INBOX', 'Trash']);
    await ok(c, 'SELECT INBOX');
    for (const bad of ['ESEARCH IN (personal) RETURN (SAVE) ALL', 'ESEARCH IN (selected mailboxes Trash) RETURN (SAVE) ALL']) {
      assert.match(await c.command('b', bad), /^b BAD /m, bad);
    }
    assert.deepEqual(await ok(c, 'ESEARCH RETURN (SAVE) FLAGGED'), []);
    assert.deepEqual(await ok(c, 'SEARCH $'), ['* SEARCH 1 3']);
    assert.deepEqual(await ok(c, 'ESEARCH IN (selected) RETURN (SAVE COUNT) 2'), [`* ESEARCH (TAG "t" MAILBOX "INBOX" UIDVALIDITY ${v.INBOX}) UID COUNT 1`]);
    assert.deepEqual(await ok(c, 'SEARCH $'), ['* SEARCH 2']);
    // UPDATE over several mailboxes: updates for the selected one, with its correlators.
    const live = await c.command('U1', 'ESEARCH IN (personal) RETURN (UPDATE COUNT) FLAGGED');
    assert.deepEqual(untagged(live), [
      `* ESEARCH (TAG "U1" MAILBOX "INBOX" UIDVALIDITY ${v.INBOX}) UID COUNT 2`,
      `* ESEARCH (TAG "U1" MAILBOX "Trash" UIDVALIDITY ${v.Trash}) UID COUNT 1`,
    ]);
    assert.deepEqual(await ok(c, 'STORE 2 +FLAGS.SILENT (\\Flagged)'), [`* ESEARCH (TAG "U1" MAILBOX "INBOX" UIDVALIDITY ${v.INBOX}) UID ADDTO (2 2)`]);
    await imap().deliver(id, 'Trash', mail('trash2'), ['\\Flagged']);
    assert.deepEqual(await ok(c, 'NOOP'), []);
    const elsewhere = await c.command('U2', 'ESEARCH IN (mailboxes Trash) RETURN (UPDATE) FLAGGED');
    assert.match(elsewhere, /^\* NO \[NOUPDATE "U2"\] [^\r\n]+\r\n\* ESEARCH \(TAG "U2" MAILBOX "Trash" UIDVALIDITY \d+\) UID ALL 1:2\r\nU2 OK /);
    await ok(c, 'UNSELECT');
    assert.match(await c.command('b', 'ESEARCH IN (personal) RETURN (UPDATE) ALL'), /^b BAD /m);
  });

  test('mailbox names in modified UTF-7 both ways; PARTIAL applies to each mailbox', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const c = await imap().login(user);
    const v = await create(c, ['Caf&AOk-', 'Caf&AOk-/Menu']);
    for (let n = 1; n <= 3; n++) await imap().deliver(id, 'Café', mail(`m${n}`));
    await imap().deliver(id, 'Café/Menu', mail('menu'));
    assert.deepEqual(await ok(c, 'ESEARCH IN (subtree "Caf&AOk-") RETURN (PARTIAL -1:-2) ALL'), [
      `* ESEARCH (TAG "t" MAILBOX "Caf&AOk-" UIDVALIDITY ${v['Caf&AOk-']}) UID PARTIAL (-1:-2 2:3)`,
      `* ESEARCH (TAG "t" MAILBOX "Caf&AOk-/Menu" UIDVALIDITY ${v['Caf&AOk-/Menu']}) UID PARTIAL (-1:-2 1)`,
    ]);
    // A name that is not valid modified UTF-7 names nothing.
    assert.deepEqual(await ok(c, 'ESEARCH IN (mailboxes "Caf&AOk") ALL'), []);
  });

  test('bad source options are BAD and the session goes on', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    await expectBad(c, [
      'ESEARCH IN () ALL',
      'ESEARCH IN (selected-delayed) ALL',
      'ESEARCH IN (everything) ALL',
      'ESEARCH IN (mailboxes) ALL',
      'ESEARCH IN (mailboxes ()) ALL',
      'ESEARCH IN (personal (depth 1)) ALL',
      'ESEARCH IN (personal ()) ALL',
      'ESEARCH IN personal ALL',
      'ESEARCH IN (personal)',
      'ESEARCH RETURN (MIN) IN (personal) ALL',
      'UID ESEARCH IN (personal) ALL',
    ]);
    // A long list of names (each looked up once) is no trouble.
    const names = Array.from({ length: 3000 }, (_, i) => `n${i % 2000}`).join(' ');
    assert.deepEqual(await ok(c, `ESEARCH IN (mailboxes (${names}) subtree-one (${names})) ALL`), []);
    assert.match(await c.command('c', 'CAPABILITY'), /\* CAPABILITY [^\r\n]* MULTISEARCH/);
  });
});
