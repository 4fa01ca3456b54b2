// OpenProject/Redmine's inbound mail task (redmine:email:receive_imap, Ruby
// Net::IMAP) as it talks, command for command: unseen mail is fetched, handled
// mail copied to move_on_success and removed, failed mail marked seen and
// copied to move_on_failure.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { message, PASSWORD, startImap, untagged } from './fixture.ts';

type Imap = Awaited<ReturnType<typeof startImap>>;
let imap: Imap;
before(async () => {
  imap = await startImap();
});
after(() => imap.stop());

test('receive_imap with move_on_success=Processed move_on_failure=Failed', async () => {
  const { user, id } = await imap.account();
  const ok = message('Work package 1', 'project: demo\r\n\r\nplease fix');
  const bad = message('Spam', 'nothing to see');
  await imap.deliver(id, 'INBOX', message('old news'), ['\\Seen']);
  await imap.deliver(id, 'INBOX', ok);
  await imap.deliver(id, 'INBOX', bad);
  const setup = await imap.login(user);
  await setup.command('a', 'CREATE Processed');
  await setup.command('b', 'CREATE Failed');

  const c = await imap.connect({ tls: true });
  assert.match(await c.command('RUBY0001', `LOGIN ${user} "${PASSWORD}"`), /^RUBY0001 OK/);
  assert.match(await c.command('RUBY0002', 'SELECT INBOX'), /RUBY0002 OK \[READ-WRITE\]/);
  assert.deepEqual(untagged(await c.command('RUBY0003', 'UID SEARCH NOT SEEN')), ['* SEARCH 2 3']);

  // uid 2: handled.
  const fetched = await c.command('RUBY0004', 'UID FETCH 2 RFC822');
  assert.equal(fetched, `* 2 FETCH (UID 2 RFC822 {${ok.length}}\r\n${ok} FLAGS (\\Seen \\Recent))\r\nRUBY0004 OK FETCH completed\r\n`);
  assert.match(await c.command('RUBY0005', 'UID COPY 2 Processed'), /^RUBY0005 OK \[COPYUID \d+ 2 1\]/);
  assert.deepEqual(untagged(await c.command('RUBY0006', 'UID STORE 2 +FLAGS (\\Seen \\Deleted)')), ['* 2 FETCH (UID 2 FLAGS (\\Deleted \\Seen \\Recent))']);

  // uid 3: not handled.
  const fetchedBad = await c.command('RUBY0007', 'UID FETCH 3 RFC822');
  assert.ok(fetchedBad.includes(bad));
  assert.deepEqual(untagged(await c.command('RUBY0008', 'UID STORE 3 +FLAGS (\\Seen)')), ['* 3 FETCH (UID 3 FLAGS (\\Seen \\Recent))']);
  assert.match(await c.command('RUBY0009', 'UID COPY 3 Failed'), /^RUBY0009 OK \[COPYUID \d+ 3 1\]/);
  assert.deepEqual(untagged(await c.command('RUBY0010', 'UID STORE 3 +FLAGS (\\Deleted)')), ['* 3 FETCH (UID 3 FLAGS (\\Deleted \\Seen \\Recent))']);

  // \Deleted does not hide a message before EXPUNGE.
  assert.deepEqual(untagged(await c.command('RUBY0011', 'UID SEARCH ALL')), ['* SEARCH 1 2 3']);
  assert.equal(await c.command('RUBY0012', 'EXPUNGE'), '* 3 EXPUNGE\r\n* 2 EXPUNGE\r\nRUBY0012 OK EXPUNGE completed\r\n');
  assert.match(await c.command('RUBY0013', 'LOGOUT'), /^\* BYE.*\r\nRUBY0013 OK/);

  // Next run: nothing unseen; the copies are where they belong, byte for byte.
  const again = await imap.login(user);
  await again.command('s', 'SELECT INBOX');
  assert.deepEqual(untagged(await again.command('t', 'UID SEARCH NOT SEEN')), ['* SEARCH']);
  await again.command('u', 'EXAMINE Processed');
  assert.ok((await again.command('v', 'UID FETCH 1 BODY.PEEK[]')).includes(ok));
  await again.command('w', 'EXAMINE Failed');
  // The copy kept \Seen; no session has selected Failed yet, so it is still \Recent (RFC 3501 §6.3.2).
  assert.match(await again.command('x', 'UID FETCH 1 FLAGS'), /FLAGS \(\\Seen \\Recent\)/);
});
