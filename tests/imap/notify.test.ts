// NOTIFY (RFC 5465): raw transcripts from the RFC's examples; two sessions, one
// making changes (APPEND, STORE, EXPUNGE, CREATE/RENAME/DELETE, SUBSCRIBE) and
// one receiving them unasked, between commands, with read deadlines;
// SELECTED-DELAYED holding expunges back; NOTIFY NONE; the overflow bound.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_BEHIND } from '../../imapd/notify/notifier.ts';
import { appendMessage, closeStore, findMailbox, openStore, setSubscribed } from '../../schema/index.ts';
import { TEST_ENGINE, testStoreLocation } from '../helpers/database.ts';
import type { RawClient } from './raw-client.ts';
import { DEADLINE, expectBad, message, untagged, untaggedOk, useImap } from './fixture.ts';

const imap = useImap();

/** Waits (with the read deadline) until the client has received a line matching `pattern`; returns the untagged lines so far, cleared. */
async function receive(c: RawClient, pattern: RegExp, what: string): Promise<string[]> {
  const text = await c.readUntil((b) => b.split('\r\n').some((l) => pattern.test(l)), { what });
  c.take();
  return untagged(text);
}

/** Waits (with the read deadline) until every line of `expected` has arrived unasked; then they must be all that came (in any order). */
async function expectLines(c: RawClient, expected: readonly string[], what: string): Promise<void> {
  const text = await c.readUntil((b) => expected.every((l) => b.includes(`${l}\r\n`)), { what });
  c.take();
  assert.deepEqual(untagged(text).sort(), [...expected].sort(), what);
}

/** Nothing arrived unasked: a NOOP's reply carries no untagged line. */
async function quiet(c: RawClient, what: string): Promise<void> {
  assert.deepEqual(untagged(c.take()), [], `${what}: unasked`);
  assert.deepEqual(await untaggedOk(c, 'NOOP', 'q'), [], `${what}: in NOOP`);
}

async function appendFrom(c: RawClient, mailbox: string, raw: string): Promise<void> {
  c.write(`ap APPEND ${mailbox} {${raw.length}+}\r\n${raw}\r\n`);
  assert.match(await c.waitTagged('ap'), /^ap OK/m);
}

describe('NOTIFY (RFC 5465)', () => {
  test('is advertised once logged in', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.ok(untagged(await c.command('c', 'CAPABILITY'))[0].split(' ').includes('NOTIFY'));
  });

  test('§3.1 example: STATUS for each watched mailbox before the OK, then STATUS and the asked FETCH unasked, not idle', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const a = await imap().login(user);
    await untaggedOk(a, 'CREATE Lists/Lemonade');
    await untaggedOk(a, 'CREATE Lists/Im2000');
    for (let i = 0; i < 3; i++) await imap().deliver(id, 'Lists/Lemonade', message(`lemonade ${i}`));
    const lemonade = (await findMailbox(imap().heron.store, id, 'Lists/Lemonade'))!;
    const im2000 = (await findMailbox(imap().heron.store, id, 'Lists/Im2000'))!;
    const b = await imap().login(user);
    // As in the RFC, but for "(subtree Lists MessageNew)": §5 wants MessageExpunge beside
    // MessageNew (a server MUST answer BAD otherwise). The events without parentheses are
    // the RFC's writing; §8's grammar has them in a list.
    const set = await untaggedOk(
      b,
      'notify set status (selected MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge) (subtree Lists (MessageNew MessageExpunge))',
      'b',
    );
    const lists = (await findMailbox(imap().heron.store, id, 'Lists'))!;
    // CREATE made "Lists" too (RFC 3501 §6.3.3): it is in the subtree.
    assert.deepEqual(set.sort(), [
      `* STATUS "Lists" (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ${lists.uidvalidity})`,
      `* STATUS "Lists/Im2000" (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ${im2000.uidvalidity})`,
      `* STATUS "Lists/Lemonade" (MESSAGES 3 UIDNEXT 4 UIDVALIDITY ${lemonade.uidvalidity})`,
    ]);
    assert.match(await b.command('c', 'select inbox'), /^c OK \[READ-WRITE\]/m);

    // Time passes. A new message is delivered to mailbox Lists/Lemonade.
    await imap().deliver(id, 'Lists/Lemonade', message('lemonade 3'));
    await expectLines(b, [
      `* STATUS "Lists/Lemonade" (MESSAGES 4 UIDNEXT 5 UIDVALIDITY ${lemonade.uidvalidity})`,
    ], 'STATUS for Lists/Lemonade');

    // Time passes. A new message is delivered to inbox.
    await imap().deliver(id, 'INBOX', message('good morning'));
    const text = await b.readUntil((t) => t.includes(')\r\n'), { what: 'the FETCH of the new message' });
    b.take();
    const fields = 'From: Alice Example <alice@example.org>\r\nTo: Bob <bob@heron.test>\r\nSubject: good morning\r\n\r\n';
    assert.equal(text, `* 1 EXISTS\r\n* 1 RECENT\r\n* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM TO SUBJECT)] {${fields.length}}\r\n${fields})\r\n`);

    // The client asks about one more mailbox without STATUS: no STATUS responses.
    assert.deepEqual(
      await untaggedOk(b, 'notify set (selected MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge) (subtree Lists (MessageNew MessageExpunge)) (mailboxes misc (MessageNew MessageExpunge))', 'e'),
      [],
    );
    // A message in a mailbox nobody watches: nothing.
    await imap().deliver(id, 'Sent', message('not watched'));
    await quiet(b, 'a delivery to Sent');
  });

  test('§5 and §6.1: forbidden combinations are BAD, unsupported events NO [BADEVENT] listing the supported ones', DEADLINE, async () => {
    const { user } = await imap().account();
    const notLoggedIn = await imap().connect({ tls: true });
    assert.match(await notLoggedIn.command('n', 'NOTIFY NONE'), /^n BAD /m);
    const c = await imap().login(user);
    const bad = [
      'NOTIFY',
      'NOTIFY SET',
      'NOTIFY NONE extra',
      'NOTIFY SOMETIMES',
      'NOTIFY SET (selected (MessageNew))',
      'NOTIFY SET (personal (MessageExpunge))',
      'NOTIFY SET (personal (FlagChange))',
      'NOTIFY SET (personal (MessageNew FlagChange))',
      'NOTIFY SET (inboxes (AnnotationChange))',
      'NOTIFY SET (selected (MailboxName))',
      'NOTIFY SET (selected-delayed (MessageNew MessageExpunge SubscriptionChange))',
      'NOTIFY SET (selected (MessageNew MessageExpunge)) (selected-delayed (MessageNew MessageExpunge))',
      'NOTIFY SET (personal (MessageNew (uid) MessageExpunge))',
      'NOTIFY SET (everything (MessageNew MessageExpunge))',
      'NOTIFY SET (subtree (MessageNew MessageExpunge))',
      'NOTIFY SET (mailboxes () (MessageNew MessageExpunge))',
      'NOTIFY SET (personal ())',
      'NOTIFY SET (personal MessageNew)',
      'NOTIFY SET (selected MessageNew (uid) (flags) MessageExpunge)',
      'NOTIFY SET (selected (MessageNew (NOSUCHITEM) MessageExpunge))',
      'NOTIFY SET personal (MessageNew MessageExpunge)',
    ];
    // Two connections: past maxBadCommands a session ends.
    await expectBad(c, bad.slice(0, 12));
    await expectBad(await imap().login(user), bad.slice(12));
    const supported = '[BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)]';
    for (const events of ['(MessageNew MessageExpunge AnnotationChange)', '(MessageNew MessageExpunge FlagChange AnnotationChange)', '(MailboxName SomeFutureEvent)']) {
      const r = await c.command('n', `NOTIFY SET (personal ${events})`);
      assert.ok(r.startsWith(`n NO ${supported} `), `${events}: ${r}`);
    }
    // Every supported event, every filter, names that are not mailboxes (ignored, §3.1), NONE as events.
    for (const command of [
      'NOTIFY SET (selected (MessageNew MessageExpunge FlagChange)) (inboxes (MessageNew MessageExpunge)) (personal (MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)) (subscribed (MessageNew MessageExpunge FlagChange)) (subtree (INBOX nosuch) (MessageNew MessageExpunge)) (mailboxes "nosuch/*" (MessageNew MessageExpunge))',
      'notify set (Selected-Delayed (messagenew messageexpunge)) (PERSONAL NONE)',
      'NOTIFY SET (mailboxes INBOX (Messagenew messageExpunge)) (personal (SubscriptionChange))',
      'NOTIFY SET (selected (Messagenew (uid flags) messageExpunge)) (personal (MessageNew FlagChange MessageExpunge))',
      'NOTIFY SET (mailboxes INBOX (MailboxMetadataChange)) (personal (ServerMetadataChange))',
      'NOTIFY NONE',
    ]) {
      assert.deepEqual(await untaggedOk(c, command), [], command);
    }
  });

  test('unselected mailboxes: APPEND and EXPUNGE give STATUS; a flag change only with CONDSTORE and FlagChange, with HIGHESTMODSEQ', DEADLINE, async () => {
    const { user } = await imap().account();
    const a = await imap().login(user);
    const b = await imap().login(user);
    await untaggedOk(a, 'CREATE work');
    const uidvalidity = (await findMailbox(imap().heron.store, (await imap().heron.store.get<{ id: number }>('SELECT mail_account_id AS id FROM mail_box WHERE name = ? ORDER BY id DESC LIMIT 1', 'work'))!.id, 'work'))!.uidvalidity;
    await untaggedOk(b, 'NOTIFY SET (mailboxes work (MessageNew MessageExpunge))');
    await appendFrom(a, 'work', message('first'));
    await expectLines(b, [`* STATUS "work" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY ${uidvalidity})`], 'STATUS after APPEND');
    await appendFrom(a, 'work', message('second'));
    await expectLines(b, [`* STATUS "work" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY ${uidvalidity})`], 'STATUS after the second APPEND');
    // A flag change without FlagChange (and without CONDSTORE): nothing.
    await untaggedOk(a, 'SELECT work');
    await untaggedOk(a, 'STORE 1 +FLAGS (\\Flagged)');
    await quiet(b, 'a flag change');
    // With CONDSTORE and FlagChange: STATUS with HIGHESTMODSEQ.
    await untaggedOk(b, 'ENABLE CONDSTORE');
    await untaggedOk(b, 'NOTIFY SET (mailboxes work (MessageNew MessageExpunge FlagChange))');
    const [before] = untagged(await a.command('s', 'STATUS work (HIGHESTMODSEQ)')).map((l) => Number(/HIGHESTMODSEQ (\d+)/.exec(l)![1]));
    await untaggedOk(a, 'STORE 2 +FLAGS (\\Seen)');
    await expectLines(b, [
      `* STATUS "work" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY ${uidvalidity} HIGHESTMODSEQ ${before + 1})`,
    ], 'STATUS after a flag change');
    await untaggedOk(a, 'STORE 1 +FLAGS (\\Deleted)');
    await receive(b, /STATUS "work"/, 'STATUS after \\Deleted');
    await untaggedOk(a, 'EXPUNGE');
    await expectLines(b, [
      `* STATUS "work" (MESSAGES 1 UIDNEXT 3 UIDVALIDITY ${uidvalidity} HIGHESTMODSEQ ${before + 3})`,
    ], 'STATUS after EXPUNGE');
    // The same changes while b is in IDLE (RFC 5465 §4: the same events).
    b.write('i IDLE\r\n');
    await b.readUntil((t) => t.includes('+ '), { what: 'the IDLE continuation' });
    b.take();
    await appendFrom(a, 'work', message('third'));
    await expectLines(b, [
      `* STATUS "work" (MESSAGES 2 UIDNEXT 4 UIDVALIDITY ${uidvalidity} HIGHESTMODSEQ ${before + 4})`,
    ], 'STATUS while idle');
    b.write('DONE\r\n');
    assert.match(await b.waitTagged('i'), /^i OK/m);
  });

  test('the selected mailbox with SELECTED: EXISTS, FETCH FLAGS and EXPUNGE arrive between commands', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (let i = 0; i < 3; i++) await imap().deliver(id, 'INBOX', message(`m${i}`));
    const a = await imap().login(user);
    const b = await imap().login(user);
    await untaggedOk(b, 'SELECT INBOX');
    await untaggedOk(b, 'NOTIFY SET (selected (MessageNew MessageExpunge FlagChange))');
    await untaggedOk(a, 'SELECT INBOX');
    await untaggedOk(a, 'STORE 2 +FLAGS.SILENT (\\Flagged)');
    await expectLines(b, ['* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))'], 'the flag change');
    await untaggedOk(a, 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await receive(b, /FETCH/, 'the \\Deleted flag');
    await untaggedOk(a, 'EXPUNGE');
    // §5.3 and §6.1.1: SELECTED asks for EXPUNGE at once, outside any command.
    await expectLines(b, ['* 1 EXPUNGE'], 'the expunge');
    await appendFrom(a, 'INBOX', message('m3'));
    // No fetch attributes asked for: EXISTS (and RECENT) only.
    await expectLines(b, ['* 3 EXISTS', '* 3 RECENT'], 'the new message');
    // NOTIFY NONE: the selected mailbox's news wait for a command again.
    await untaggedOk(b, 'NOTIFY NONE');
    await untaggedOk(a, 'STORE 1 +FLAGS.SILENT (\\Seen)');
    assert.deepEqual(untagged(b.take()), []);
    assert.deepEqual(await untaggedOk(b, 'NOOP'), ['* 1 FETCH (UID 2 FLAGS (\\Flagged \\Seen \\Recent))']);
  });

  test('SELECTED-DELAYED: new messages come at once, expunges wait for a command that may report them, never in FETCH', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (let i = 0; i < 3; i++) await imap().deliver(id, 'INBOX', message(`d${i}`));
    const a = await imap().login(user);
    const b = await imap().login(user);
    await untaggedOk(b, 'EXAMINE INBOX');
    await untaggedOk(b, 'NOTIFY SET (selected-delayed (MessageNew (UID FLAGS) MessageExpunge))');
    await untaggedOk(a, 'SELECT INBOX');
    await untaggedOk(a, 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    await untaggedOk(a, 'EXPUNGE');
    await appendFrom(a, 'INBOX', message('d3'));
    // The new message with its fetch attributes; the expunge held back.
    const got = await receive(b, /FETCH \(UID 4 /, 'the new message');
    assert.deepEqual(got.filter((l) => !l.includes('FLAGS (\\Deleted')), ['* 4 EXISTS', '* 4 RECENT', '* 4 FETCH (UID 4 FLAGS (\\Recent))']);
    assert.ok(!got.some((l) => l.includes('EXPUNGE')));
    // RFC 3501 §7.4.1: not in FETCH's reply either.
    assert.ok(!untagged(await b.command('f', 'FETCH 1:* (UID)')).some((l) => l.includes('EXPUNGE')));
    assert.deepEqual(
      (await untaggedOk(b, 'NOOP')).filter((l) => l.includes('EXPUNGE')),
      ['* 2 EXPUNGE'],
    );
  });

  test('§7: SEARCH and SORT RETURN (UPDATE (fetch-att …)): EXISTS, the FETCH of a new message that joins, then ADDTO', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('hello').replace('alice@example.org', 'myboss@example.org'));
    const a = await imap().login(user);
    const b = await imap().login(user);
    await untaggedOk(b, 'SELECT INBOX');
    assert.deepEqual(await untaggedOk(b, 'SEARCH RETURN (COUNT UPDATE (UID BODY.PEEK[HEADER.FIELDS (TO FROM SUBJECT)])) FROM "boss"', 'a00'), ['* ESEARCH (TAG "a00") COUNT 1']);
    assert.deepEqual(await untaggedOk(b, 'UID SORT RETURN (UPDATE (FLAGS)) (SUBJECT) UTF-8 FROM "boss"', 'a01'), ['* ESEARCH (TAG "a01") UID ALL 1']);
    await appendFrom(a, 'INBOX', message('not from the boss'));
    const mail = message('good morning').replace('alice@example.org', 'myboss@example.org');
    await appendFrom(a, 'INBOX', mail);
    // The message not from the boss joins neither result: no FETCH for it.
    const fields = 'From: Alice Example <myboss@example.org>\r\nTo: Bob <bob@heron.test>\r\nSubject: good morning\r\n\r\n';
    const r = await b.command('n', 'NOOP');
    assert.equal(
      r,
      [
        '* 3 EXISTS',
        '* 3 RECENT',
        `* 3 FETCH (UID 3 BODY[HEADER.FIELDS (TO FROM SUBJECT)] {${fields.length}}\r\n${fields})`,
        '* ESEARCH (TAG "a00") ADDTO (2 3)',
        '* 3 FETCH (UID 3 FLAGS (\\Recent))',
        // In SUBJECT order "good morning" comes first.
        '* ESEARCH (TAG "a01") UID ADDTO (1 3)',
        'n OK NOOP completed',
        '',
      ].join('\r\n'),
    );
    // A message that joins by a flag change gets no FETCH of the attributes (§7), only the usual FLAGS.
    assert.deepEqual(await untaggedOk(b, 'SEARCH RETURN (UPDATE (UID ENVELOPE)) FLAGGED', 'a02'), ['* ESEARCH (TAG "a02")']);
    await untaggedOk(a, 'SELECT INBOX');
    await untaggedOk(a, 'STORE 2 +FLAGS.SILENT (\\Flagged)');
    assert.deepEqual(await untaggedOk(b, 'NOOP'), ['* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))', '* ESEARCH (TAG "a02") ADDTO (1 2)']);
  });

  test('MailboxName and SubscriptionChange: CREATE, RENAME (OLDNAME), DELETE, SUBSCRIBE and UNSUBSCRIBE by another session', DEADLINE, async () => {
    const { user } = await imap().account();
    const a = await imap().login(user);
    const b = await imap().login(user);
    await untaggedOk(b, 'NOTIFY SET (personal (MailboxName SubscriptionChange))');
    await untaggedOk(a, 'CREATE Projects');
    await expectLines(b, ['* LIST (\\HasNoChildren \\Subscribed) "/" "Projects"'], 'the created mailbox');
    await untaggedOk(a, 'CREATE Projects/Heron');
    await expectLines(b, [
      '* LIST (\\HasChildren \\Subscribed) "/" "Projects"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Projects/Heron"',
    ], 'the created child');
    await untaggedOk(a, 'RENAME Projects Work');
    await expectLines(b, ['* LIST (\\HasChildren \\Subscribed) "/" "Work" ("OLDNAME" ("Projects"))'], 'the rename');
    await untaggedOk(a, 'UNSUBSCRIBE Work/Heron');
    await expectLines(b, ['* LIST (\\HasNoChildren) "/" "Work/Heron"'], 'the unsubscription');
    await untaggedOk(a, 'SUBSCRIBE Work/Heron');
    await expectLines(b, ['* LIST (\\HasNoChildren \\Subscribed) "/" "Work/Heron"'], 'the subscription');
    await untaggedOk(a, 'DELETE Work/Heron');
    // RFC 3501 §6.3.6: the subscription stays with the name.
    await expectLines(b, [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Work"',
      '* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "Work/Heron"',
    ], 'the deletion');
    // Only what was asked for: a group without MailboxName hears nothing of a CREATE.
    await untaggedOk(b, 'NOTIFY SET (personal (SubscriptionChange))');
    await untaggedOk(a, 'CREATE Quiet');
    await quiet(b, 'a CREATE without MailboxName');
    // SUBTREE and MAILBOXES take their names only.
    await untaggedOk(b, 'NOTIFY SET (subtree Work (SubscriptionChange)) (mailboxes Quiet (MailboxName))');
    await untaggedOk(a, 'UNSUBSCRIBE Quiet');
    await untaggedOk(a, 'UNSUBSCRIBE Work');
    await expectLines(b, ['* LIST (\\HasNoChildren) "/" "Work"'], 'the unsubscription in the subtree');
    await untaggedOk(a, 'DELETE Quiet');
    await expectLines(b, ['* LIST (\\NonExistent \\HasNoChildren) "/" "Quiet"'], 'the deletion of a named mailbox');
  });

  test('MailboxMetadataChange and ServerMetadataChange: the entry names another session sets with SETMETADATA', DEADLINE, async () => {
    const { user } = await imap().account();
    const a = await imap().login(user);
    const b = await imap().login(user);
    await untaggedOk(b, 'NOTIFY SET (mailboxes INBOX (MailboxMetadataChange)) (personal (ServerMetadataChange))');
    await untaggedOk(a, 'SETMETADATA INBOX (/shared/comment "shared note")');
    await expectLines(b, ['* METADATA "INBOX" /shared/comment'], 'the mailbox entry');
    await untaggedOk(a, 'SETMETADATA "" (/private/vendor/heron "a server entry")');
    await expectLines(b, ['* METADATA "" /private/vendor/heron'], 'the server entry');
    // Removing an entry is a change too.
    await untaggedOk(a, 'SETMETADATA INBOX (/shared/comment NIL)');
    await expectLines(b, ['* METADATA "INBOX" /shared/comment'], 'the removal');
    // A mailbox not watched for MailboxMetadataChange: nothing.
    await untaggedOk(a, 'SETMETADATA Sent (/shared/comment "not watched")');
    await quiet(b, 'an entry of Sent');
  });

  test('NOTIFY NONE stops the notifications; another account\'s changes are never told', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const other = await imap().account();
    const b = await imap().login(user);
    await untaggedOk(b, 'NOTIFY SET (personal (MessageNew MessageExpunge MailboxName))');
    await imap().deliver(other.id, 'INBOX', message('someone else'));
    await quiet(b, "another account's delivery");
    await imap().deliver(id, 'Junk', message('spam'));
    await receive(b, /STATUS "Junk"/, 'STATUS for Junk');
    await untaggedOk(b, 'NOTIFY NONE');
    await imap().deliver(id, 'Junk', message('more spam'));
    const a = await imap().login(user);
    await untaggedOk(a, 'CREATE Later');
    await quiet(b, 'changes after NOTIFY NONE');
  });

  test('another node on the same database: its changes come through the store events (PostgreSQL), or with the next NOOP (SQLite)', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const b = await imap().login(user);
    await untaggedOk(b, 'NOTIFY SET (inboxes (MessageNew MessageExpunge)) (personal (SubscriptionChange))');
    const inbox = (await findMailbox(imap().heron.store, id, 'INBOX'))!;
    const otherNode = await openStore(await testStoreLocation(imap().heron.dataDir));
    try {
      await appendMessage(otherNode, { mailboxId: inbox.id, raw: Buffer.from(message('from the other node')), flags: [] });
      await setSubscribed(otherNode, id, 'Trash', false);
      const expected = [`* STATUS "INBOX" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY ${inbox.uidvalidity})`, '* LIST (\\HasNoChildren \\Trash) "/" "Trash"'];
      if (TEST_ENGINE === 'postgres') {
        // LISTEN/NOTIFY: unasked, in either order.
        await expectLines(b, expected, "the other node's changes");
      } else {
        // Nothing notifies this process of a commit by another on the same SQLite file: NOOP is the client's poll.
        assert.deepEqual((await untaggedOk(b, 'NOOP')).sort(), [...expected].sort());
      }
    } finally {
      await closeStore(otherNode);
    }
  });

  test(`[NOTIFICATIONOVERFLOW]: a session more than ${MAX_BEHIND} changes behind is told once, and NOTIFY is off`, { timeout: 180_000 }, async () => {
    const { user, id } = await imap().account();
    const big = message('big', 'x'.repeat(1024 * 1024));
    for (let i = 0; i < 24; i++) await imap().deliver(id, 'INBOX', big);
    await imap().deliver(id, 'Sent', message('flip'));
    const a = await imap().login(user);
    const b = await imap().login(user);
    await untaggedOk(b, 'NOTIFY SET (mailboxes Sent (MessageNew MessageExpunge))');
    await untaggedOk(b, 'EXAMINE INBOX');
    // b asks for 24 MB and reads none of it: its FETCH cannot finish, the changes wait.
    b.pauseReading();
    b.write('f FETCH 1:* BODY.PEEK[]\r\n');
    await untaggedOk(a, 'SELECT Sent');
    let pipeline = '';
    for (let i = 0; i <= MAX_BEHIND; i++) pipeline += `s${i} STORE 1 ${i % 2 ? '-' : '+'}FLAGS.SILENT (\\Flagged)\r\n`;
    a.write(pipeline);
    assert.match(await a.waitTagged(`s${MAX_BEHIND}`), new RegExp(`^s${MAX_BEHIND} OK`, 'm'));
    b.resumeReading();
    const text = await b.waitTagged('f', { ms: 60_000 });
    b.take();
    const lines = text.split('\r\n');
    assert.equal(lines.filter((l) => l.startsWith('* OK [NOTIFICATIONOVERFLOW]')).length, 1);
    assert.equal(lines.filter((l) => / FETCH \(BODY\[\] \{/.test(l)).length, 24);
    // Behaves as after NOTIFY NONE (§5.8).
    await appendFrom(a, 'Sent', message('after the overflow'));
    await quiet(b, 'a change after the overflow');
    // And NOTIFY can be set again.
    await untaggedOk(b, 'NOTIFY SET (mailboxes Sent (MessageNew MessageExpunge))');
    await appendFrom(a, 'Sent', message('watched again'));
    await receive(b, /STATUS "Sent"/, 'STATUS once NOTIFY is set again');
  });
});
