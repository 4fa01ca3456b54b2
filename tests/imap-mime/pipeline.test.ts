// The whole path a FETCH takes: delivery indexes the message, the store keeps
// envelope and tree as JSON, getMessages/readRaw read them back, and the
// renderers produce what Dovecot produces for the same message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deliverMessage, findMailbox, getMessages, readRaw } from '../../schema/index.ts';
import { storeFixture, type StoreFixture } from '../helpers/store.ts';
import { assertMatchesGolden, loadGolden } from './golden.ts';

const NAMES = ['simple', 'nested-multipart', 'rfc822-in-multipart', 'rfc2231', '8bit-headers', 'digest', 'missing-boundary', 'addresses'];

describe('deliver → store → render', () => {
  let f: StoreFixture;
  before(async () => (f = await storeFixture()));
  after(() => f.cleanup());

  test('stored messages render as Dovecot renders them', async () => {
    const box = await findMailbox(f.store, f.account.id, 'INBOX');
    assert.ok(box);
    for (const name of NAMES) {
      const golden = loadGolden(name);
      const [appended] = await deliverMessage(f.store, { raw: golden.raw, copies: [{ mailboxId: box.id }] });
      const [meta] = await getMessages(f.store, box.id, [appended.uid]);
      assert.ok(meta, name);
      const raw = await readRaw(f.store, meta.rawId);
      assert.ok(raw.equals(golden.raw), `${name}: stored bytes unchanged`);
      assertMatchesGolden(golden, raw, meta.envelope, meta.root);
    }
  });
});
