// APPENDLIMIT (RFC 7889): `APPENDLIMIT=<n>` after login, n the account's max
// message size (its server's max_size), and the STATUS APPENDLIMIT item.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findMailServerByHostname } from '../../schema/index.ts';
import { TEST_HOSTNAME } from '../helpers/heron.ts';
import { DEADLINE, flowClient, message, untaggedOk, useImap } from './fixture.ts';

const imap = useImap();

async function maxSize(): Promise<number> {
  return (await findMailServerByHostname(imap().heron.store, TEST_HOSTNAME))!.max_size;
}

describe('APPENDLIMIT', () => {
  test('advertised with the max message size once logged in, not before', DEADLINE, async () => {
    const { user } = await imap().account();
    const limit = await maxSize();
    const c = await imap().connect({ tls: true });
    assert.doesNotMatch(await c.command('c', 'CAPABILITY'), /APPENDLIMIT/);
    const c2 = await imap().login(user);
    assert.match(await c2.command('c', 'CAPABILITY'), new RegExp(`^\\* CAPABILITY .* APPENDLIMIT=${limit}[ \\r]`, 'm'));
  });

  test('STATUS APPENDLIMIT gives the same limit for every mailbox; a missing mailbox is NO', DEADLINE, async () => {
    const { user } = await imap().account();
    const limit = await maxSize();
    const c = await imap().login(user);
    assert.deepEqual(await untaggedOk(c, 'STATUS INBOX (APPENDLIMIT MESSAGES)'), [`* STATUS "INBOX" (APPENDLIMIT ${limit} MESSAGES 0)`]);
    assert.deepEqual(await untaggedOk(c, 'STATUS Drafts (appendlimit)'), [`* STATUS "Drafts" (APPENDLIMIT ${limit})`]);
    assert.match(await c.command('n', 'STATUS Nowhere (APPENDLIMIT)'), /^n NO /m);
  });

  test('a changed limit shows on the next login; a message of exactly the limit is accepted, one byte more is [TOOBIG]', DEADLINE, async () => {
    const { user } = await imap().account();
    const raw = message('exactly the limit');
    await imap().withMaxSize(raw.length, async () => {
      const c = await imap().login(user);
      assert.match(await c.command('c', 'CAPABILITY'), new RegExp(`APPENDLIMIT=${raw.length}[ \\r]`));
      assert.deepEqual(await untaggedOk(c, 'STATUS INBOX (APPENDLIMIT)'), [`* STATUS "INBOX" (APPENDLIMIT ${raw.length})`]);
      assert.match(await c.command('a', `APPEND INBOX {${raw.length}+}\r\n${raw}`), /^a OK \[APPENDUID \d+ 1\]/m);
      c.write(`b APPEND INBOX {${raw.length + 1}}\r\n`);
      assert.match(await c.waitTagged('b'), /^b NO \[TOOBIG\]/m);
      assert.match(await c.command('n', 'NOOP'), /^n OK/);
    });
  });

  test('imapflow reads the limit and refuses a bigger message before sending it', DEADLINE, async () => {
    const { user } = await imap().account();
    await imap().withMaxSize(2000, async () => {
      const flow = flowClient(imap(), user);
      flow.on('error', () => undefined);
      await flow.connect();
      try {
        assert.equal(flow.capabilities.get('APPENDLIMIT'), 2000);
        const fits = await flow.append('INBOX', message('fits'));
        assert.equal(fits && fits.uid, 1);
        await assert.rejects(flow.append('INBOX', message('too big', 'x'.repeat(2000))), /APPENDLIMIT=2000/);
        const status = await flow.status('INBOX', { messages: true });
        assert.equal(status && status.messages, 1);
      } finally {
        await flow.logout();
      }
    });
  });
});
