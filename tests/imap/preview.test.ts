// PREVIEW (RFC 8970): FETCH PREVIEW and PREVIEW (LAZY). Computed at delivery;
// messages stored before that get theirs on the first FETCH PREVIEW (and keep
// it), and PREVIEW (LAZY) answers NIL for them until then.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findMailbox } from '../../schema/index.ts';
import { DEADLINE, message, untagged, useImap } from './fixture.ts';

const imap = useImap();

describe('PREVIEW', () => {
  test('FETCH PREVIEW: 200 characters of the first text part, quoted or a literal; no \\Seen', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const long = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(6);
    await imap().deliver(id, 'INBOX', message('Plain', `Hello "there",\r\n\r\n  how are you?`));
    await imap().deliver(id, 'INBOX', message('Long', long));
    await imap().deliver(id, 'INBOX', message('Accents', 'Grüße, 日本'));
    await imap().deliver(id, 'INBOX', 'Subject: none\r\nContent-Type: image/gif\r\n\r\nGIF89a\r\n');
    const c = await imap().login(user);
    assert.match(await c.command('cap', 'CAPABILITY'), /^\* CAPABILITY [^\r]* PREVIEW/);
    await c.command('s', 'EXAMINE INBOX');
    assert.deepEqual(untagged(await c.command('f1', 'FETCH 1 (PREVIEW)')), ['* 1 FETCH (PREVIEW "Hello \\"there\\", how are you?")']);
    assert.deepEqual(untagged(await c.command('f2', 'UID FETCH 2 (UID PREVIEW)')), [`* 2 FETCH (UID 2 PREVIEW "${long.slice(0, 200).trimEnd()}")`]);
    // UTF-8 goes out as a literal (an IMAP4rev1 quoted string is 7-bit).
    const utf8 = Buffer.from('Grüße, 日本');
    assert.equal(await c.command('f3', 'FETCH 3 PREVIEW'), `* 3 FETCH (PREVIEW {${utf8.length}}\r\n${utf8.toString('latin1')})\r\nf3 OK FETCH completed\r\n`);
    assert.deepEqual(untagged(await c.command('f4', 'FETCH 4 (PREVIEW FLAGS)')), ['* 4 FETCH (PREVIEW "" FLAGS (\\Recent))']);
    await c.command('s2', 'SELECT INBOX');
    await c.command('f5', 'FETCH 1:4 (PREVIEW)');
    assert.match(await c.command('q', 'SEARCH SEEN'), /^\* SEARCH\r\n/);
  });

  test('PREVIEW (LAZY): NIL for a message stored before previews, until a FETCH PREVIEW computes and keeps it', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const store = imap().heron.store;
    await imap().deliver(id, 'INBOX', message('Old', 'Stored before previews existed'));
    await imap().deliver(id, 'INBOX', message('New', 'Stored with its preview'));
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    await c.command('cp', 'UID COPY 1 Trash');
    // As the migration leaves rows stored before the column existed.
    await store.run(`UPDATE mail SET preview = NULL WHERE mail_account_id = ? AND subject = 'Old'`, id);
    assert.deepEqual(untagged(await c.command('l1', 'FETCH 1:2 (PREVIEW (LAZY))')), ['* 1 FETCH (PREVIEW NIL)', '* 2 FETCH (PREVIEW "Stored with its preview")']);
    // Unparenthesised, as RFC 8970's grammar allows for a lone item.
    assert.deepEqual(untagged(await c.command('l2', 'FETCH 1 PREVIEW (LAZY)')), ['* 1 FETCH (PREVIEW NIL)']);
    // LAZY with a plain PREVIEW in the same FETCH: the plain one wins.
    assert.deepEqual(untagged(await c.command('l3', 'FETCH 1 (PREVIEW (LAZY) PREVIEW)')), ['* 1 FETCH (PREVIEW "Stored before previews existed")']);
    // Kept for every copy: the copy in Trash answers LAZY at once now.
    const trash = (await findMailbox(store, id, 'Trash'))!;
    assert.deepEqual(await store.column(`SELECT preview FROM mail WHERE mail_box_id = ?`, trash.id), ['Stored before previews existed']);
    assert.deepEqual(untagged(await c.command('l4', 'FETCH 1 (PREVIEW (LAZY))')), ['* 1 FETCH (PREVIEW "Stored before previews existed")']);
    // Computing it is not a change to the message: no new MODSEQ.
    const modseq = Number(/MODSEQ \((\d+)\)/.exec(await c.command('m2', 'FETCH 1 (MODSEQ)'))![1]);
    await store.run(`UPDATE mail SET preview = NULL WHERE mail_account_id = ? AND subject = 'Old'`, id);
    await c.command('p', 'FETCH 1 (PREVIEW)');
    assert.equal(Number(/MODSEQ \((\d+)\)/.exec(await c.command('m3', 'FETCH 1 (MODSEQ)'))![1]), modseq);
  });

  test('bad PREVIEW modifiers are BAD', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('One'));
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    for (const bad of ['(PREVIEW (FUZZY))', '(PREVIEW ())', '(PREVIEW (LAZY FOO))', 'PREVIEW (LAZY) (LAZY)']) {
      assert.match(await c.command('b', `FETCH 1 ${bad}`), /^b BAD /, bad);
    }
    assert.match(await c.command('ok', 'FETCH 1 (PREVIEW (lazy) UID)'), /^\* 1 FETCH \(PREVIEW "Hello world" UID 1\)\r\n/);
  });
});
