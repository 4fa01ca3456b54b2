// Inputs the fuzzers found that broke something, kept as regression tests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { indexMessage } from '../../schema/index.ts';
import { ALICE, mailboxOf, smtpHeron, stopHeron, type TestHeron } from '../smtp/fixtures.ts';
import { message, RawSmtp } from '../smtp/client.ts';

describe('mime-index', () => {
  // schema/mime/address.ts: a ")" outside a comment was read as an empty word
  // without advancing, so tokenizing looped until the heap was exhausted.
  test('a stray ")" in an address header is a syntax error, not an endless loop', () => {
    for (const value of ['<a)@b>', 'a)b@c', ')', '<usmment)@ (comment) domain.org>']) {
      const m = indexMessage(Buffer.from(`From: x@y\r\nCc: ${value}\r\nTo: ${value}, z@w\r\n\r\nbody\r\n`));
      assert.deepEqual(m.envelope.from, [{ name: null, adl: null, mailbox: 'x', host: 'y' }]);
      assert.ok(m.envelope.cc === null || m.envelope.cc.length <= 1, value);
    }
    // What comes before the syntax error is kept (as Dovecot does).
    assert.deepEqual(indexMessage(Buffer.from('To: a@b, c@d )\r\n\r\n')).envelope.to, [
      { name: null, adl: null, mailbox: 'a', host: 'b' },
      { name: null, adl: null, mailbox: 'c', host: 'd' },
    ]);
  });

  describe('over SMTP', () => {
    let heron: TestHeron;
    before(async () => {
      heron = await smtpHeron();
    });
    after(() => stopHeron(heron));

    test('a message whose Cc has a stray ")" is delivered, and the server keeps serving', async () => {
      const c = await RawSmtp.connect(heron.ports.smtp);
      await c.hello();
      assert.equal((await c.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
      assert.equal((await c.cmd(`RCPT TO:<${ALICE}>`)).code, 250);
      assert.equal((await c.cmd('DATA')).code, 354);
      c.write(message({ subject: 'stray paren', extra: 'Cc: <a)@b>\r\n' }) + '.\r\n');
      assert.equal((await c.reply()).code, 250);
      assert.equal((await c.cmd('NOOP')).code, 250);
      await c.quit();
      assert.ok((await mailboxOf(heron, ALICE)).some((m) => m.raw.includes('Subject: stray paren')));
    });
  });
});
