// LITERAL- (RFC 7888 §4) before login, LITERAL+ after it. Unauthenticated
// clients may send non-synchronising literals of up to 4096 bytes; a larger
// `{n+}` gets a tagged BAD [TOOBIG] and the connection closes, since its bytes
// are already on the way and cannot be told apart from commands.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, flowClient, message, PASSWORD, useImap } from './fixture.ts';

const imap = useImap();

describe('LITERAL-', () => {
  test('LITERAL- before login (never beside LITERAL+), LITERAL+ after it', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().connect({ tls: true });
    assert.match(c.greeting, /\[CAPABILITY [^\]]* LITERAL- /);
    const caps = await c.command('c', 'CAPABILITY');
    assert.match(caps, /^\* CAPABILITY .* LITERAL- /m);
    assert.doesNotMatch(caps, /LITERAL\+/);
    const login = await c.command('l', `LOGIN ${user} "${PASSWORD}"`);
    assert.match(login, /^l OK \[CAPABILITY [^\]]* LITERAL\+ /m);
    assert.doesNotMatch(login, /LITERAL-/);
  });

  test('non-synchronising literals up to 4096 bytes work before login', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().connect({ tls: true });
    // A 4096-byte password: read in full (a wrong password, not a framing error).
    assert.match(await c.command('a', `LOGIN {${user.length}+}\r\n${user} {4096+}\r\n${'x'.repeat(4096)}`), /^a NO \[AUTHENTICATIONFAILED\]/m);
    assert.match(await c.command('b', `LOGIN {${user.length}+}\r\n${user} {${PASSWORD.length}+}\r\n${PASSWORD}`), /^b OK /m);
  });

  test('a {4097+} before login: BAD [TOOBIG], BYE, connection closed; the server goes on', DEADLINE, async () => {
    const c = await imap().connect({ tls: true });
    c.write(`a LOGIN {4097+}\r\n${'u'.repeat(4097)} {1+}\r\np\r\n`);
    const got = await c.readUntil((s) => s.includes('* BYE'), { what: 'BYE' });
    assert.match(got, /^a BAD \[TOOBIG\] /m);
    await c.waitClosed();
    const d = await imap().connect({ tls: true });
    assert.match(await d.command('n', 'NOOP'), /^n OK/);
  });

  test('synchronising literals over 4096 bytes are still fine before login', DEADLINE, async () => {
    const c = await imap().connect({ tls: true });
    c.write('a LOGIN {5000}\r\n');
    await c.readUntil((s) => s.startsWith('+ '), { what: 'a continuation request' });
    c.take();
    c.write(`${'u'.repeat(5000)} pw\r\n`);
    assert.match(await c.waitTagged('a'), /^a NO \[AUTHENTICATIONFAILED\]/m);
  });

  test('after login, LITERAL+ allows larger non-synchronising literals', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    const raw = message('big', 'y'.repeat(6000));
    assert.match(await c.command('a', `APPEND INBOX {${raw.length}+}\r\n${raw}`), /^a OK \[APPENDUID /m);
  });

  test('imapflow logs in and appends with the literals the capabilities allow', DEADLINE, async () => {
    const { user } = await imap().account();
    const flow = flowClient(imap(), user);
    flow.on('error', () => undefined);
    await flow.connect();
    try {
      assert.ok(flow.capabilities.has('LITERAL+'));
      const raw = message('via imapflow', 'z'.repeat(5000));
      const res = await flow.append('INBOX', raw);
      assert.equal(res && res.uid, 1);
    } finally {
      await flow.logout();
    }
  });
});
