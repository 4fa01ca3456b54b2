// LIST-STATUS (RFC 5819): LIST ... RETURN (STATUS (items)) sends each listed
// mailbox's STATUS right after its LIST line, with the STATUS command's own
// items and values, and none for \Noselect or \NonExistent names. imapflow
// asks for it when offered (list with statusQuery).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ITEMS } from '../../imapd/commands/status.ts';
import { DEADLINE, expectBad, flowClient, message, untagged, untaggedOk, useImap } from './fixture.ts';

const imap = useImap();

describe('LIST-STATUS (RFC 5819)', () => {
  test('the RFC 5819 example: STATUS follows each selectable mailbox, none for a \\Noselect one', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const c = await imap().login(user);
    for (let i = 0; i < 3; i++) await imap().deliver(id, 'INBOX', message(`in ${i}`), i === 0 ? ['\\Seen'] : []);
    assert.match(await c.command('c1', 'CREATE foo'), /^c1 OK/m);
    assert.match(await c.command('c2', 'CREATE bar/baz'), /^c2 OK/m);
    assert.match(await c.command('d', 'DELETE bar'), /^d OK/m);
    for (let i = 0; i < 2; i++) await imap().deliver(id, 'foo', message(`foo ${i}`));
    assert.deepEqual(await untaggedOk(c, 'LIST "" "%" RETURN (STATUS (MESSAGES UNSEEN))', 'A01'), [
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* STATUS "Drafts" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* STATUS "INBOX" (MESSAGES 3 UNSEEN 2)',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* STATUS "Junk" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* STATUS "Sent" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      '* STATUS "Trash" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\Noselect \\HasChildren) "/" "bar"',
      '* LIST (\\HasNoChildren) "/" "foo"',
      '* STATUS "foo" (MESSAGES 2 UNSEEN 2)',
    ]);
  });

  test('every STATUS item the server has, with exactly the STATUS command\'s answer, the selected mailbox included', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const c = await imap().login(user);
    await imap().deliver(id, 'INBOX', message('one'), ['\\Seen']);
    await imap().deliver(id, 'INBOX', message('two'));
    assert.match(await c.command('s', 'SELECT INBOX'), /^s OK/m);
    const items = ITEMS.join(' ');
    const listed = await untaggedOk(c, `LIST "" ("INBOX" "Sent") RETURN (STATUS (${items}))`);
    const inbox = await untaggedOk(c, `STATUS INBOX (${items})`);
    const sent = await untaggedOk(c, `STATUS Sent (${items})`);
    assert.deepEqual(listed, ['* LIST (\\HasNoChildren) "/" "INBOX"', ...inbox, '* LIST (\\HasNoChildren \\Sent) "/" "Sent"', ...sent]);
    assert.match(inbox[0], /^\* STATUS "INBOX" \(MESSAGES 2 .*UNSEEN 1\b/);
    // Items in any case and order, given twice: as STATUS takes them.
    assert.deepEqual(await untaggedOk(c, 'LIST "" INBOX RETURN (STATUS (unseen) STATUS (messages))'), ['* LIST (\\HasNoChildren) "/" "INBOX"', '* STATUS "INBOX" (UNSEEN 1 MESSAGES 2)']);
    assert.deepEqual(await untaggedOk(c, 'LIST "" INBOX RETURN (STATUS (UNSEEN MESSAGES) STATUS (MESSAGES))'), ['* LIST (\\HasNoChildren) "/" "INBOX"', '* STATUS "INBOX" (UNSEEN 1 MESSAGES 2)']);
  });

  test('no STATUS for a \\NonExistent name; STATUS with other return options', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('c', 'CREATE Old'), /^c OK/m);
    assert.match(await c.command('d', 'DELETE Old'), /^d OK/m); // stays subscribed
    assert.deepEqual(await untaggedOk(c, 'LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN STATUS (MESSAGES) SPECIAL-USE)'), [
      '* LIST (\\HasNoChildren \\Subscribed \\Drafts) "/" "Drafts"',
      '* STATUS "Drafts" (MESSAGES 0)',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "INBOX"',
      '* STATUS "INBOX" (MESSAGES 0)',
      '* LIST (\\HasNoChildren \\Subscribed \\Junk) "/" "Junk"',
      '* STATUS "Junk" (MESSAGES 0)',
      '* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "Old"',
      '* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" "Sent"',
      '* STATUS "Sent" (MESSAGES 0)',
      '* LIST (\\HasNoChildren \\Subscribed \\Trash) "/" "Trash"',
      '* STATUS "Trash" (MESSAGES 0)',
    ]);
  });

  test('bad STATUS return options are BAD', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    await expectBad(c, [
      'LIST "" "*" RETURN (STATUS)',
      'LIST "" "*" RETURN (STATUS ())',
      'LIST "" "*" RETURN (STATUS MESSAGES)',
      'LIST "" "*" RETURN (STATUS (BOGUS))',
      'LIST "" "*" RETURN (STATUS (MESSAGES (1)))',
    ]);
  });

  test('imapflow lists with statusQuery through LIST-STATUS and sees special uses', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('a'), ['\\Seen']);
    await imap().deliver(id, 'INBOX', message('b'));
    const raw = await imap().login(user);
    assert.match(await raw.command('c', 'CREATE Archive (USE (\\Archive))'), /^c OK/m);
    const sent: string[] = [];
    const flow = flowClient(imap(), user);
    const log = (entry: { src?: string; msg?: string }) => {
      if (entry.src === 'c' && entry.msg) sent.push(entry.msg);
    };
    Object.assign(flow, { log: { debug: log, info: log, warn: log, error: log, trace: log, fatal: log, child: () => flow.log } });
    flow.on('error', () => undefined);
    await flow.connect();
    try {
      const list = await flow.list({ statusQuery: { messages: true, unseen: true, uidNext: true, uidValidity: true, highestModseq: true } });
      const inbox = list.find((m) => m.path === 'INBOX')!;
      assert.equal(inbox.status?.messages, 2);
      assert.equal(inbox.status?.unseen, 1);
      assert.equal(inbox.status?.uidNext, 3);
      assert.ok(Number(inbox.status?.highestModseq) > 0);
      assert.equal(list.find((m) => m.path === 'Archive')?.specialUse, '\\Archive');
      assert.equal(list.find((m) => m.path === 'Sent')?.specialUse, '\\Sent');
      assert.equal(list.find((m) => m.path === 'Sent')?.status?.messages, 0);
      assert.ok(list.every((m) => m.subscribed), 'subscription state came with RETURN (SUBSCRIBED)');
      // One LIST carried everything: no STATUS command per mailbox, no LSUB.
      const commands = sent.map((l) => l.replace(/^\S+ /, '').split(' ')[0].toUpperCase());
      assert.ok(sent.some((l) => /LIST .*RETURN \(STATUS \(/i.test(l)), sent.join('\n'));
      assert.ok(!commands.includes('STATUS') && !commands.includes('LSUB'), sent.join('\n'));
    } finally {
      await flow.logout();
    }
  });
});
