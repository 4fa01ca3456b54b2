// LIST (RFC 3501 §6.3.8): patterns made of any ATOM-CHAR, levels "%" stops at,
// and names that are not modified UTF-7.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, untagged, useImap } from './fixture.ts';

const imap = useImap();

describe('LIST', () => {
  test('a pattern of every ATOM-CHAR, "[" included, is a pattern: OK, and the session goes on', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    // More than the 20 bad commands that end a session: none of these is one.
    for (let i = 0; i < 25; i++) {
      const r = await c.command(`l${i}`, "LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}");
      assert.match(r, new RegExp(`^l${i} OK`), r);
    }
    assert.match(await c.command('n', 'NOOP'), /^n OK/);
    // Valid modified UTF-7 with the same characters matches as written.
    assert.match(await c.command('c', "CREATE !#$&-'+,-.0123456789:;<=>?@^_`|[}"), /^c OK/);
    assert.deepEqual(untagged(await c.command('l', "LIST \"\" !#$&-'+,-.0123456789:;<=>?@^_`|[}")), [
      "* LIST (\\HasNoChildren) \"/\" \"!#$&-'+,-.0123456789:;<=>?@^_`|[}\"",
    ]);
    assert.match(await c.command('c2', 'CREATE a[b'), /^c2 OK/);
    assert.deepEqual(untagged(await c.command('l2', 'LIST "" a[*')), ['* LIST (\\HasNoChildren) "/" "a[b"']);
  });

  test('"%" lists each level it stops at, a \\Noselect one included, consistently with LSUB', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    await c.command('c1', 'CREATE x/y/z');
    await c.command('c2', 'CREATE x/w');
    await c.command('d', 'DELETE x/y'); // has a child: stays as a \Noselect name
    assert.deepEqual(untagged(await c.command('l1', 'LIST "" x/%')), ['* LIST (\\HasNoChildren) "/" "x/w"', '* LIST (\\Noselect \\HasChildren) "/" "x/y"']);
    assert.deepEqual(untagged(await c.command('l2', 'LIST "" x/*')), [
      '* LIST (\\HasNoChildren) "/" "x/w"',
      '* LIST (\\Noselect \\HasChildren) "/" "x/y"',
      '* LIST (\\HasNoChildren) "/" "x/y/z"',
    ]);
    assert.deepEqual(untagged(await c.command('l3', 'LSUB "" x/%')), ['* LSUB (\\HasNoChildren) "/" "x/w"', '* LSUB (\\Noselect \\HasChildren) "/" "x/y"']);
  });
});
