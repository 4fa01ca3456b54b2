// Daptin's IMAP setup recipe posts plain-text settings to /_config/backend.
// Heron always serves IMAP and takes settings from HERON_* variables: a value
// already in effect succeeds, anything else is a 422 naming the variable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { api, assertError, buildWorld, useHeron, type Api, type TestHeron, type World } from './client.ts';

describe('Daptin config API', () => {
  let heron: TestHeron;
  let a: Api;
  let w: World;
  useHeron(async (h) => {
    heron = h;
    a = api(h);
    w = await buildWorld(a);
  });

  const set = (key: string, value: string, token?: string) => a.request('POST', `/_config/backend/${key}`, { token, raw: value, contentType: 'text/plain' });

  test('the guide\'s three calls succeed when they ask for what is in effect', async () => {
    const token = await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
    // The guide's ":1143" is Heron's default HERON_IMAP_PORT; tests configure their own port.
    const port = heron.config.ports.imap;
    for (const [key, value] of [['imap.enabled', 'true'], ['hostname', 'heron.test'], ['imap.listen_interface', `:${port}`], ['imap.listen_interface', `0.0.0.0:${port}`]]) {
      const reply = await set(key, value, token);
      assert.equal(reply.status, 200, `${key}: ${reply.text}`);
    }
    const read = await a.get('/_config/backend/hostname', token);
    assert.deepEqual(read.body, { key: 'hostname', value: 'heron.test' });
  });

  test('values Heron cannot take at run time, unknown keys, and non-admins are refused', async () => {
    const wrong = await set('hostname', 'mail.example.com', w.admin);
    assertError(wrong, 422);
    assert.match(wrong.body.errors[0].detail, /HERON_HOSTNAME/);
    assertError(await set('imap.enabled', 'false', w.admin), 422);
    assertError(await set('imap.listen_interface', `:${heron.config.ports.imap + 1}`, w.admin), 422);
    assertError(await set('smtp.everything', 'x', w.admin), 404);
    assertError(await set('imap.enabled', 'true', w.owner), 403);
    assertError(await set('imap.enabled', 'true'), 401);
  });
});
