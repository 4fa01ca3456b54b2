// CREATE-SPECIAL-USE (RFC 6154 §3 and its examples): CREATE name (USE (attr)), refused
// whole with [USEATTR] when the use cannot be given (two uses, \All or
// \Flagged, which describe virtual mailboxes Heron does not make, or an
// attribute nobody defined); bad parameters are BAD (RFC 4466 §2.2).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { RawClient } from './raw-client.ts';
import { DEADLINE, expectBad, untaggedOk, useImap } from './fixture.ts';

const imap = useImap();

describe('CREATE-SPECIAL-USE (RFC 6154)', () => {
  let c: RawClient;
  before(async () => {
    const { user } = await imap().account();
    c = await imap().login(user);
  });

  test('RFC 6154 example: two uses are refused with [USEATTR], one is given and listed', DEADLINE, async () => {
    assert.match(await c.command('t1', 'CREATE MySpecial (USE (\\Drafts \\Sent))'), /^t1 NO \[USEATTR\] /m);
    assert.deepEqual(await untaggedOk(c, 'LIST "" MySpecial'), [], 'nothing was created');
    assert.match(await c.command('t2', 'CREATE MySpecial (USE (\\Drafts))'), /^t2 OK/m);
    assert.deepEqual(await untaggedOk(c, 'LIST "" MySpecial', 't3'), ['* LIST (\\HasNoChildren \\Drafts) "/" "MySpecial"']);
    assert.deepEqual(await untaggedOk(c, 'LIST (SPECIAL-USE) "" "My*" RETURN (SPECIAL-USE)'), ['* LIST (\\HasNoChildren \\Drafts) "/" "MySpecial"']);
  });

  test('every use a plain mailbox can have; attributes in any case come back as RFC 6154 spells them', DEADLINE, async () => {
    for (const use of ['\\Archive', '\\Drafts', '\\Junk', '\\Sent', '\\Trash']) {
      assert.match(await c.command('c', `CREATE "Use ${use.slice(1)}" (USE (${use.toLowerCase()}))`), /^c OK/m, use);
      assert.deepEqual(await untaggedOk(c, `LIST "" "Use ${use.slice(1)}"`), [`* LIST (\\HasNoChildren ${use}) "/" "Use ${use.slice(1)}"`]);
    }
    // An empty USE list is a plain CREATE; parents made on the way get no use.
    assert.match(await c.command('c', 'create Plain (use ())'), /^c OK/m);
    assert.match(await c.command('c', 'CREATE Old/2024 (USE (\\Archive))'), /^c OK/m);
    assert.deepEqual(await untaggedOk(c, 'LIST "" "Old*"'), ['* LIST (\\HasChildren) "/" "Old"', '* LIST (\\HasNoChildren \\Archive) "/" "Old/2024"']);
    assert.deepEqual(await untaggedOk(c, 'LIST "" Plain'), ['* LIST (\\HasNoChildren) "/" "Plain"']);
  });

  test('\\All, \\Flagged and unknown uses are refused with [USEATTR] and create nothing', DEADLINE, async () => {
    for (const use of ['\\All', '\\Flagged', '\\Important', '\\X-Mine']) {
      const r = await c.command('n', `CREATE Refused (USE (${use}))`);
      assert.match(r, /^n NO \[USEATTR\] /m, use);
    }
    // A second \All is refused the same way as the first.
    assert.match(await c.command('n', 'CREATE Refused (USE (\\All))'), /^n NO \[USEATTR\] /m);
    assert.deepEqual(await untaggedOk(c, 'LIST "" "Refused*"'), []);
    // A name that exists keeps its use: ALREADYEXISTS, not a change.
    assert.match(await c.command('n', 'CREATE Sent (USE (\\Archive))'), /^n NO \[ALREADYEXISTS\] /m);
    assert.deepEqual(await untaggedOk(c, 'LIST "" Sent'), ['* LIST (\\HasNoChildren \\Sent) "/" "Sent"']);
  });

  test('malformed parameters are BAD and create nothing', DEADLINE, async () => {
    await expectBad(c, [
      'CREATE Bad ()',
      'CREATE Bad (FOO)',
      'CREATE Bad (FOO (\\Archive))',
      'CREATE Bad (USE)',
      'CREATE Bad (USE \\Archive)',
      'CREATE Bad (USE (Archive))',
      'CREATE Bad (USE ("\\\\Archive"))',
      'CREATE Bad (USE ((\\Archive)))',
      'CREATE Bad (USE (\\Archive)) extra',
      'CREATE Bad USE (\\Archive)',
    ]);
    assert.deepEqual(await untaggedOk(c, 'LIST "" "Bad*"'), []);
  });
});
