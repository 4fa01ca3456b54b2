// UNAUTHENTICATE (RFC 8437): back to the not-authenticated state on the same
// connection: the selected mailbox is left (without an expunge), the account's
// connection slot is released, CONDSTORE is forgotten, and another user can log in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, message, PASSWORD, untagged, untaggedOk, useImap } from './fixture.ts';

// Two connections per account, so releasing a slot shows.
const imap = useImap({ HERON_IMAP_MAX_CONNECTIONS_PER_USER: '2' });

describe('UNAUTHENTICATE', () => {
  test('is advertised', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('c', 'CAPABILITY'), /^\* CAPABILITY .* UNAUTHENTICATE[ \r]/m);
  });

  test("RFC 8437 §2's example: log out of one account and into another on one connection", DEADLINE, async () => {
    const alice = await imap().account();
    const bob = await imap().account();
    await imap().deliver(alice.id, 'INBOX', message('for alice'));
    const c = await imap().login(alice.user);
    await c.command('s', 'SELECT INBOX');
    const r = await c.command('a', 'UNAUTHENTICATE');
    // The new capabilities: login is possible again.
    assert.match(r, /^a OK \[CAPABILITY [^\]]* AUTH=PLAIN[ \]]/m);
    assert.deepEqual(untagged(r), []);
    assert.match(await c.command('b', 'SELECT INBOX'), /^b BAD .*before login/m);
    assert.match(await c.command('c', 'STATUS INBOX (MESSAGES)'), /^c BAD /m);
    assert.match(await c.command('d', 'CAPABILITY'), /^\* CAPABILITY .*AUTH=PLAIN/m);
    assert.match(await c.command('e', `LOGIN ${bob.user} "${PASSWORD}"`), /^e OK /m);
    assert.deepEqual(await untaggedOk(c, 'STATUS INBOX (MESSAGES)'), ['* STATUS "INBOX" (MESSAGES 0)']);
  });

  test('only when logged in, and without arguments', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().connect({ tls: true });
    assert.match(await c.command('a', 'UNAUTHENTICATE'), /^a BAD /m);
    assert.match(await c.command('b', `LOGIN ${user} "${PASSWORD}"`), /^b OK /m);
    assert.match(await c.command('c', 'UNAUTHENTICATE now'), /^c BAD /m);
    assert.match(await c.command('d', 'NOOP'), /^d OK /m);
    assert.match(await c.command('e', 'UNAUTHENTICATE'), /^e OK /m);
    assert.match(await c.command('f', 'UNAUTHENTICATE'), /^f BAD /m);
  });

  test('releases the per-account connection slot', DEADLINE, async () => {
    const { user } = await imap().account();
    const a = await imap().login(user);
    await imap().login(user);
    const third = await imap().connect({ tls: true });
    assert.match(await third.command('l', `LOGIN ${user} "${PASSWORD}"`), /^l NO \[LIMIT\]/m);
    assert.match(await a.command('u', 'UNAUTHENTICATE'), /^u OK /m);
    assert.match(await third.command('m', `LOGIN ${user} "${PASSWORD}"`), /^m OK /m);
    // And logging in again takes a slot again.
    assert.match(await a.command('n', `LOGIN ${user} "${PASSWORD}"`), /^n NO \[LIMIT\]/m);
  });

  test('the selected mailbox is left without expunging; CONDSTORE is forgotten', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('kept'), ['\\Deleted']);
    const c = await imap().login(user);
    await c.command('e', 'ENABLE CONDSTORE');
    await c.command('s', 'SELECT INBOX');
    assert.match(await c.command('u', 'UNAUTHENTICATE'), /^u OK /m);
    assert.match(await c.command('l', `LOGIN ${user} "${PASSWORD}"`), /^l OK /m);
    await c.command('s', 'SELECT INBOX');
    const f = untagged(await c.command('f', 'FETCH 1 (FLAGS)'));
    assert.deepEqual(f, ['* 1 FETCH (FLAGS (\\Deleted))']);
  });
});
