// LIST-METADATA (RFC 9590): LIST's return option METADATA (entries …) follows
// each selectable listed mailbox's LIST line with a METADATA response holding
// the entries asked for, NIL where there is no value; none for \Noselect or
// \NonExistent names; with STATUS and the selection options; bad arguments.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, expectBad, untaggedOk as ok, useImap } from './fixture.ts';

const imap = useImap();

async function user() {
  const { user } = await imap().account();
  return imap().login(user);
}

describe('LIST-METADATA', () => {
  test('advertised beside LIST-EXTENDED', DEADLINE, async () => {
    const c = await user();
    const caps = (await ok(c, 'CAPABILITY'))[0].split(' ');
    assert.ok(caps.includes('LIST-METADATA') && caps.includes('LIST-EXTENDED'));
  });

  test("RFC 9590 §3's exchange: each mailbox's entries right after its LIST line, NIL where unset", DEADLINE, async () => {
    const c = await user();
    await ok(c, 'CREATE Folder');
    await ok(c, 'SETMETADATA INBOX (/shared/comment "My own comment" /private/comment "mine")');
    await ok(c, 'SETMETADATA Folder (/private/comment "folder note")');
    assert.deepEqual(await ok(c, 'LIST "" % RETURN (METADATA (/shared/comment /private/comment))'), [
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* METADATA "Drafts" (/shared/comment NIL /private/comment NIL)',
      '* LIST (\\HasNoChildren) "/" "Folder"',
      '* METADATA "Folder" (/shared/comment NIL /private/comment "folder note")',
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* METADATA "INBOX" (/shared/comment "My own comment" /private/comment "mine")',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* METADATA "Junk" (/shared/comment NIL /private/comment NIL)',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* METADATA "Sent" (/shared/comment NIL /private/comment NIL)',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      '* METADATA "Trash" (/shared/comment NIL /private/comment NIL)',
    ]);
  });

  test('with STATUS, selection options, \\Noselect and \\NonExistent names, and non-ASCII mailbox names', DEADLINE, async () => {
    const c = await user();
    await ok(c, 'CREATE Parent/Child');
    await ok(c, 'CREATE "Gr&APwA3w-e"');
    await ok(c, 'SETMETADATA "Gr&APwA3w-e" (/private/comment "umlaut")');
    await ok(c, 'SETMETADATA Parent/Child (/shared/comment "child")');
    await ok(c, 'DELETE Parent');
    // RFC 3501 §6.3.6: deleting a mailbox keeps its subscription.
    await ok(c, 'CREATE Gone');
    await ok(c, 'SUBSCRIBE Gone');
    await ok(c, 'DELETE Gone');
    assert.deepEqual(await ok(c, 'LIST "" (Parent* Gr*) RETURN (METADATA (/shared/comment) STATUS (MESSAGES) METADATA (/private/comment))'), [
      '* LIST (\\HasNoChildren) "/" "Gr&APwA3w-e"',
      '* METADATA "Gr&APwA3w-e" (/shared/comment NIL /private/comment "umlaut")',
      '* STATUS "Gr&APwA3w-e" (MESSAGES 0)',
      // The \Noselect parent left by DELETE gets no METADATA (nor STATUS).
      '* LIST (\\Noselect \\HasChildren) "/" "Parent"',
      '* LIST (\\HasNoChildren) "/" "Parent/Child"',
      '* METADATA "Parent/Child" (/shared/comment "child" /private/comment NIL)',
      '* STATUS "Parent/Child" (MESSAGES 0)',
    ]);
    // A subscribed name without a mailbox is \NonExistent, without METADATA
    // (a new mailbox is subscribed).
    assert.deepEqual(await ok(c, 'LIST (SUBSCRIBED) "" G* RETURN (METADATA (/private/comment))'), [
      '* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "Gone"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Gr&APwA3w-e"',
      '* METADATA "Gr&APwA3w-e" (/private/comment "umlaut")',
    ]);
  });

  test('bad METADATA return options are BAD', DEADLINE, async () => {
    const c = await user();
    await expectBad(c, [
      'LIST "" % RETURN (METADATA)',
      'LIST "" % RETURN (METADATA ())',
      'LIST "" % RETURN (METADATA /shared/comment)',
      'LIST "" % RETURN (METADATA (/shared/comment*))',
      'LIST "" % RETURN (METADATA (/comment))',
      'LIST "" % RETURN (METADATA ((/shared/comment)))',
    ]);
  });
});
