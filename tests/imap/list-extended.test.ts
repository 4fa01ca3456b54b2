// LIST-EXTENDED (RFC 5258): selection options SUBSCRIBED, REMOTE,
// RECURSIVEMATCH and SPECIAL-USE (RFC 6154), return options, several
// patterns, \NonExistent, \Subscribed and CHILDINFO, on the hierarchy of the
// RFC 5258 §5 examples: Fruit/{Apple,Banana,Peach}, Tofu, Vegetable/{Broccoli,Corn},
// with Fruit/Banana, Fruit/Peach (deleted, so \NonExistent), Vegetable and
// Vegetable/Broccoli subscribed, and the account's default mailboxes.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { MAX_WILDCARDS } from '../../imapd/commands/list-mailboxes.ts';
import { MAX_PATTERNS } from '../../imapd/parser/list-args.ts';
import type { RawClient } from './raw-client.ts';
import { DEADLINE, expectBad, untagged, untaggedOk, useImap } from './fixture.ts';

const imap = useImap();

/** The default mailboxes as "%" and "*" list them in a basic LIST. */
const DEFAULTS = {
  Drafts: '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
  INBOX: '* LIST (\\HasNoChildren) "/" "INBOX"',
  Junk: '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
  Sent: '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
  Trash: '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
};

async function rfcHierarchy(c: RawClient): Promise<void> {
  for (const name of ['Fruit/Apple', 'Fruit/Banana', 'Fruit/Peach', 'Tofu', 'Vegetable/Broccoli', 'Vegetable/Corn']) {
    assert.match(await c.command('c', `CREATE ${name}`), /^c OK/m);
  }
  // New mailboxes are subscribed; these are not in the RFC's example.
  for (const name of ['Fruit', 'Fruit/Apple', 'Tofu', 'Vegetable/Corn', 'INBOX', 'Sent', 'Drafts', 'Trash', 'Junk']) {
    assert.match(await c.command('u', `UNSUBSCRIBE ${name}`), /^u OK/m);
  }
  // RFC 3501 §6.3.6: deleting a mailbox keeps its subscription.
  assert.match(await c.command('d', 'DELETE Fruit/Peach'), /^d OK/m);
}

describe('LIST-EXTENDED (RFC 5258)', () => {
  let c: RawClient;
  before(async () => {
    const { user } = await imap().account();
    c = await imap().login(user);
    await rfcHierarchy(c);
  });

  test('is advertised', DEADLINE, async () => {
    const caps = untagged(await c.command('cap', 'CAPABILITY'))[0].split(' ');
    for (const cap of ['LIST-EXTENDED', 'LIST-STATUS', 'SPECIAL-USE', 'CREATE-SPECIAL-USE']) assert.ok(caps.includes(cap), cap);
  });

  test('RFC 5258 §5: a basic LIST, and the same with an empty selection list', DEADLINE, async () => {
    const expected = [DEFAULTS.Drafts, '* LIST (\\HasChildren) "/" "Fruit"', DEFAULTS.INBOX, DEFAULTS.Junk, DEFAULTS.Sent, '* LIST (\\HasNoChildren) "/" "Tofu"', DEFAULTS.Trash, '* LIST (\\HasChildren) "/" "Vegetable"'];
    assert.deepEqual(await untaggedOk(c, 'LIST "" %', 'A01'), expected);
    assert.deepEqual(await untaggedOk(c, 'LIST () "" %', 'A02'), expected);
    // REMOTE: Heron has no remote mailboxes, so it changes nothing (RFC 5258 §3.1).
    assert.deepEqual(await untaggedOk(c, 'LIST (REMOTE) "" % RETURN (CHILDREN)', 'A03'), expected);
  });

  test('RFC 5258 §5: SUBSCRIBED lists subscribed names, \\NonExistent ones included', DEADLINE, async () => {
    assert.deepEqual(await untaggedOk(c, 'LIST (SUBSCRIBED) "" "*"', 'A02'), [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Fruit/Banana"',
      '* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "Fruit/Peach"',
      '* LIST (\\HasChildren \\Subscribed) "/" "Vegetable"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Vegetable/Broccoli"',
    ]);
    // Without RECURSIVEMATCH, "%" gives exactly the subscribed names it matches.
    assert.deepEqual(await untaggedOk(c, 'LIST (SUBSCRIBED) "" "%"'), ['* LIST (\\HasChildren \\Subscribed) "/" "Vegetable"']);
  });

  test('RFC 5258 §5: RETURN (SUBSCRIBED) marks subscribed mailboxes and lists no other name', DEADLINE, async () => {
    assert.deepEqual(await untaggedOk(c, 'LIST "" "Fruit/*" RETURN (SUBSCRIBED)', 'A05'), [
      '* LIST (\\HasNoChildren) "/" "Fruit/Apple"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Fruit/Banana"',
    ]);
  });

  test('RFC 5258 §3.5 RECURSIVEMATCH: CHILDINFO on a matching name with a selected descendant that is not listed', DEADLINE, async () => {
    assert.deepEqual(await untaggedOk(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"', 'A06'), [
      '* LIST (\\HasChildren) "/" "Fruit" ("CHILDINFO" ("SUBSCRIBED"))',
      '* LIST (\\HasChildren \\Subscribed) "/" "Vegetable" ("CHILDINFO" ("SUBSCRIBED"))',
    ]);
    // With "*" every selected descendant is listed itself: no CHILDINFO (§3.5: redundant responses are suppressed).
    assert.deepEqual(await untaggedOk(c, 'LIST (RECURSIVEMATCH SUBSCRIBED) "" "*"', 'A07'), await untaggedOk(c, 'LIST (SUBSCRIBED) "" "*"'));
    // Options are case-insensitive and an option given twice acts once (§3).
    assert.deepEqual(await untaggedOk(c, 'list (subscribed recursivematch subscribed) "" "%" return (children children)'), [
      '* LIST (\\HasChildren) "/" "Fruit" ("CHILDINFO" ("SUBSCRIBED"))',
      '* LIST (\\HasChildren \\Subscribed) "/" "Vegetable" ("CHILDINFO" ("SUBSCRIBED"))',
    ]);
  });

  test('several patterns: each name once, in one answer', DEADLINE, async () => {
    assert.deepEqual(await untaggedOk(c, 'LIST "" ("INBOX" "Sent*")'), [DEFAULTS.INBOX, DEFAULTS.Sent]);
    assert.deepEqual(await untaggedOk(c, 'LIST "" ("Fruit/*" "*/Banana" inbox)'), [
      '* LIST (\\HasNoChildren) "/" "Fruit/Apple"',
      '* LIST (\\HasNoChildren) "/" "Fruit/Banana"',
      DEFAULTS.INBOX,
    ]);
    // The reference applies to every pattern.
    assert.deepEqual(await untaggedOk(c, 'LIST Vegetable ("Broccoli" "Corn")'), [
      '* LIST (\\HasNoChildren) "/" "Vegetable/Broccoli"',
      '* LIST (\\HasNoChildren) "/" "Vegetable/Corn"',
    ]);
  });

  test('RFC 5258 §3: in an extended LIST "" is ignored, not a request for the delimiter', DEADLINE, async () => {
    assert.deepEqual(await untaggedOk(c, 'LIST () "" ""'), ['* LIST (\\Noselect) "/" ""']);
    assert.deepEqual(await untaggedOk(c, 'LIST "" "" RETURN (CHILDREN)'), []);
    assert.deepEqual(await untaggedOk(c, 'LIST "" ("" "INBOX")'), [DEFAULTS.INBOX]);
    assert.deepEqual(await untaggedOk(c, 'LIST (SUBSCRIBED) "" ""'), []);
  });

  test('SPECIAL-USE selection (RFC 6154) lists only mailboxes with a special use', DEADLINE, async () => {
    const expected = [DEFAULTS.Drafts, DEFAULTS.Junk, DEFAULTS.Sent, DEFAULTS.Trash];
    assert.deepEqual(await untaggedOk(c, 'LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)'), expected);
    assert.deepEqual(await untaggedOk(c, 'LIST "" "*" RETURN (SPECIAL-USE)'), await untaggedOk(c, 'LIST "" "*"'));
    // Every selection option must hold: none of the special mailboxes is subscribed here.
    assert.deepEqual(await untaggedOk(c, 'LIST (SPECIAL-USE SUBSCRIBED) "" "*"'), []);
    assert.match(await c.command('s', 'SUBSCRIBE Sent'), /^s OK/m);
    assert.deepEqual(await untaggedOk(c, 'LIST (SUBSCRIBED SPECIAL-USE) "" "*"'), ['* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" "Sent"']);
    assert.match(await c.command('s', 'UNSUBSCRIBE Sent'), /^s OK/m);
  });

  test('bad options, a lone RECURSIVEMATCH and malformed lists are BAD, and the session goes on', DEADLINE, async () => {
    await expectBad(c, [
      'LIST (RECURSIVEMATCH) "" "*"',
      'LIST (REMOTE RECURSIVEMATCH) "" "*"',
      'LIST (SPECIAL-USE RECURSIVEMATCH) "" "*"',
      'LIST (BOGUS) "" "*"',
      'LIST ("SUBSCRIBED") "" "*"',
      'LIST "" "*" RETURN (BOGUS)',
      'LIST "" "*" RETURN CHILDREN',
      'LIST "" "*" RETURN (CHILDREN (X))',
      'LIST "" "*" REVERT (CHILDREN)',
      'LIST "" "*" RETURN (CHILDREN) extra',
      'LIST "" ()',
      'LIST "" ("a" ("b"))',
      'LIST (SUBSCRIBED) ""',
      'LIST (SUBSCRIBED)',
    ]);
    assert.match(await c.command('n', 'NOOP'), /^n OK/m);
  });

  test('a kept subscription: \\NonExistent parent with CHILDINFO, UNSUBSCRIBE drops it, CREATE takes it over', DEADLINE, async () => {
    const { user } = await imap().account();
    const d = await imap().login(user);
    assert.match(await d.command('c', 'CREATE Music/Rock'), /^c OK/m);
    assert.match(await d.command('u', 'UNSUBSCRIBE Music'), /^u OK/m);
    assert.match(await d.command('d1', 'DELETE Music/Rock'), /^d1 OK/m);
    assert.match(await d.command('d2', 'DELETE Music'), /^d2 OK/m);
    // RFC 5258 §3.5: the parent has no mailbox, so it is \NonExistent.
    assert.deepEqual(await untaggedOk(d, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "M%"'), ['* LIST (\\NonExistent \\HasNoChildren) "/" "Music" ("CHILDINFO" ("SUBSCRIBED"))']);
    assert.deepEqual(await untaggedOk(d, 'LIST (SUBSCRIBED) "" "Music/*"'), ['* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "Music/Rock"']);
    // A LIST of mailboxes does not show it; LSUB does (RFC 3501 §6.3.9).
    assert.deepEqual(await untaggedOk(d, 'LIST "" "Music*"'), []);
    assert.deepEqual(await untaggedOk(d, 'LIST "" "Music*" RETURN (SUBSCRIBED)'), []);
    assert.deepEqual(await untaggedOk(d, 'LSUB "" "Music*"'), ['* LSUB (\\HasNoChildren) "/" "Music/Rock"']);
    assert.deepEqual(await untaggedOk(d, 'LSUB "" "Music%"'), ['* LSUB (\\Noselect \\HasChildren) "/" "Music"']);
    // It cannot be selected, and STATUS has nothing to report.
    assert.match(await d.command('s', 'SELECT Music/Rock'), /^s NO /m);
    // Creating the mailbox again folds the subscription in: listed once, as a mailbox.
    assert.match(await d.command('c2', 'CREATE Music/Rock'), /^c2 OK/m);
    assert.deepEqual(await untaggedOk(d, 'LIST (SUBSCRIBED) "" "Music*"'), [
      '* LIST (\\HasChildren \\Subscribed) "/" "Music"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Music/Rock"',
    ]);
    // Deleted again, then unsubscribed: gone; unsubscribing a name never subscribed is NO.
    assert.match(await d.command('d3', 'DELETE Music/Rock'), /^d3 OK/m);
    assert.match(await d.command('u2', 'UNSUBSCRIBE Music/Rock'), /^u2 OK/m);
    assert.deepEqual(await untaggedOk(d, 'LIST (SUBSCRIBED) "" "Music/*"'), []);
    assert.match(await d.command('u3', 'UNSUBSCRIBE Music/Rock'), /^u3 NO \[NONEXISTENT\]/m);
    // A RENAME onto the name of a kept subscription takes it over too.
    assert.match(await d.command('c3', 'CREATE Jazz'), /^c3 OK/m);
    assert.match(await d.command('d4', 'DELETE Jazz'), /^d4 OK/m);
    assert.match(await d.command('c4', 'CREATE Blues'), /^c4 OK/m);
    assert.match(await d.command('u4', 'UNSUBSCRIBE Blues'), /^u4 OK/m);
    assert.match(await d.command('r', 'RENAME Blues Jazz'), /^r OK/m);
    assert.deepEqual(await untaggedOk(d, 'LIST "" "Jazz" RETURN (SUBSCRIBED)'), ['* LIST (\\HasNoChildren) "/" "Jazz"']);
    assert.deepEqual(await untaggedOk(d, 'LIST (SUBSCRIBED) "" "Jazz"'), []);
  });

  test('patterns that would make a backtracking matcher explode are answered, and the work one LIST asks for is bounded', DEADLINE, async () => {
    const { user } = await imap().account();
    const d = await imap().login(user);
    const long = 'a'.repeat(500);
    assert.match(await d.command('c', `CREATE ${long}`), /^c OK/m);
    const evil = `${'*a'.repeat(MAX_WILDCARDS)}b`;
    for (const pattern of [evil, evil.replaceAll('*', '%')]) {
      assert.deepEqual(await untaggedOk(d, `LIST "" "${pattern}"`), []);
      assert.deepEqual(await untaggedOk(d, `LSUB "" "${pattern}"`), []);
    }
    assert.deepEqual(await untaggedOk(d, `LIST "" "${'*a'.repeat(MAX_WILDCARDS)}"`), [`* LIST (\\HasNoChildren) "/" "${long}"`]);
    await expectBad(d, [
      `LIST "" "${'*a'.repeat(MAX_WILDCARDS + 1)}"`,
      `LSUB "" "${'%a'.repeat(MAX_WILDCARDS + 1)}"`,
      `LIST "" (${Array.from({ length: MAX_PATTERNS + 1 }, (_, i) => `p${i}`).join(' ')})`,
    ]);
    // Runs of wildcards count once: "**%%" is one "*".
    assert.deepEqual(await untaggedOk(d, `LIST "" "${'**%%'.repeat(MAX_WILDCARDS)}"`), (await untaggedOk(d, 'LIST "" "*"')));
  });

  test('a rev1 LIST is unchanged: a deleted parent stays \\Noselect, not \\NonExistent', DEADLINE, async () => {
    assert.match(await c.command('c', 'CREATE Bread/Rye'), /^c OK/m);
    assert.match(await c.command('d', 'DELETE Bread'), /^d OK/m);
    assert.deepEqual(await untaggedOk(c, 'LIST "" "Bread"'), ['* LIST (\\Noselect \\HasChildren) "/" "Bread"']);
    assert.deepEqual(await untaggedOk(c, 'LIST (SUBSCRIBED) "" "Bread"'), ['* LIST (\\Noselect \\HasChildren \\Subscribed) "/" "Bread"']);
  });
});
