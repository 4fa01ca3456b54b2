// LSUB (RFC 3501 §6.3.9): exactly the subscribed names that match, plus the
// level "%" stops at above a subscribed name, flagged \Noselect.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, untagged, useImap } from './fixture.ts';

const imap = useImap();

describe('LSUB', () => {
  test('"%" reports an unsubscribed parent of a subscribed name as \\Noselect, and only while it has one', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    for (const name of ['a/b/c', 'a/d/e']) assert.match(await c.command('c', `CREATE ${name}`), /^c OK/);
    // CREATE made (and subscribed) the parents; only the leaves stay subscribed.
    for (const name of ['a', 'a/b', 'a/d']) assert.match(await c.command('u', `UNSUBSCRIBE ${name}`), /^u OK/);

    assert.deepEqual(untagged(await c.command('l1', 'LSUB "" "a/%"')), ['* LSUB (\\Noselect \\HasChildren) "/" "a/b"', '* LSUB (\\Noselect \\HasChildren) "/" "a/d"']);
    assert.deepEqual(untagged(await c.command('l2', 'LSUB "" "a/*"')), ['* LSUB (\\HasNoChildren) "/" "a/b/c"', '* LSUB (\\HasNoChildren) "/" "a/d/e"']);
    assert.deepEqual(untagged(await c.command('l3', 'LSUB a/ %')), ['* LSUB (\\Noselect \\HasChildren) "/" "a/b"', '* LSUB (\\Noselect \\HasChildren) "/" "a/d"']);
    assert.deepEqual(
      untagged(await c.command('l4', 'LSUB "" %')).filter((l) => / "a"$/.test(l)),
      ['* LSUB (\\Noselect \\HasChildren) "/" "a"'],
    );
    assert.deepEqual(untagged(await c.command('l5', 'LSUB "" "a/%/%"')), ['* LSUB (\\HasNoChildren) "/" "a/b/c"', '* LSUB (\\HasNoChildren) "/" "a/d/e"']);

    // Nothing below a/d is subscribed any more: a/d is not listed.
    assert.match(await c.command('u2', 'UNSUBSCRIBE a/d/e'), /^u2 OK/);
    assert.deepEqual(untagged(await c.command('l6', 'LSUB "" "a/%"')), ['* LSUB (\\Noselect \\HasChildren) "/" "a/b"']);
    assert.deepEqual(untagged(await c.command('l7', 'LSUB "" "a/*"')), ['* LSUB (\\HasNoChildren) "/" "a/b/c"']);

    // A subscribed parent is listed as itself, once.
    assert.match(await c.command('s', 'SUBSCRIBE a/b'), /^s OK/);
    assert.deepEqual(untagged(await c.command('l8', 'LSUB "" "a/%"')), ['* LSUB (\\HasChildren) "/" "a/b"']);
    // LIST names every mailbox whatever is subscribed.
    assert.deepEqual(untagged(await c.command('l9', 'LIST "" "a/%"')), ['* LIST (\\HasChildren) "/" "a/b"', '* LIST (\\HasChildren) "/" "a/d"']);
  });

  test('patterns that are not modified UTF-7 or hold odd atom characters list nothing and keep the session', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    // More than the 20 bad commands that end a session: none of these is one.
    for (let i = 0; i < 25; i++) {
      assert.match(await c.command(`l${i}`, "LSUB \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%"), new RegExp(`^l${i} OK`));
    }
    assert.match(await c.command('n', 'NOOP'), /^n OK/);
  });
});
