// Addresses at hosted domains are valid everywhere (schema/address.ts): a Heron
// whose host is "localhost" with admin@localhost, accounts @localhost made
// through the API and a REST submit from one; an IDN domain and a UTF-8 local
// part through the API; clear 422s where an address is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Heron } from '../../server/heron.ts';
import { removeDir, startTestHeron } from '../helpers/heron.ts';
import { mailboxOf } from '../smtp/fixtures.ts';
import { Api, api as apiOf } from './client.ts';

const PASSWORD = 'localhost admin password';

describe('addresses at hosted domains through the API', () => {
  let heron: Heron & { dataDir: string };
  let api: Api;
  let admin: string;
  before(async () => {
    heron = await startTestHeron({ env: { HERON_HOSTNAME: 'localhost', HERON_ADMIN_EMAIL: 'admin@localhost', HERON_ADMIN_PASSWORD: PASSWORD } });
    api = apiOf(heron);
    admin = await api.signin('admin@localhost', PASSWORD);
  });
  after(async () => {
    await heron.stop();
    removeDir(heron.dataDir);
  });

  test('user_account and mail_account @localhost are created, and a submit from one is delivered', async () => {
    const userId = await api.create(admin, 'user_account', { email: 'Someone@LOCALHOST', password: 'someone password' });
    const user = await api.get(`/api/user_account/${userId}`, admin);
    assert.equal(user.body.data.attributes.email, 'someone@localhost');
    assert.ok(await api.signin('someone@localhost', 'someone password'));

    const accountId = await api.create(admin, 'mail_account', { username: 'bob@localhost', password: 'bob password' }, { user_account_id: { type: 'user_account', id: userId } });
    assert.equal((await api.get(`/api/mail_account/${accountId}`, admin)).body.data.attributes.username, 'bob@localhost');

    const owner = await api.signin('someone@localhost', 'someone password');
    const sent = await api.post('/v1/account/bob@localhost/submit', owner, { to: 'postmaster@localhost', subject: 'From localhost', text: 'Hello.' });
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.body.delivered, ['postmaster@localhost']);
    const inbox = await mailboxOf(heron, 'postmaster@localhost');
    assert.ok(inbox.some((m) => m.raw.includes('Subject: From localhost') && /^From: bob@localhost\r?$/m.test(m.raw)));
  });

  test('an IDN domain is stored as its A-label and a UTF-8 local part works; either form finds the account', async () => {
    const serverId = await api.create(admin, 'mail_server', { hostname: 'Bücher.example' });
    assert.equal((await api.get(`/api/mail_server/${serverId}`, admin)).body.data.attributes.hostname, 'xn--bcher-kva.example');
    const accountId = await api.create(admin, 'mail_account', { username: 'Jörg@bücher.example', password: 'jörg password' });
    assert.equal((await api.get(`/api/mail_account/${accountId}`, admin)).body.data.attributes.username, 'jörg@xn--bcher-kva.example');
    // EmailEngine's route with the U-label form of the same address.
    const sent = await api.post(`/v1/account/${encodeURIComponent('jörg@bücher.example')}/submit`, admin, { to: 'bob@localhost', subject: 'IDN', text: 'Grüße.' });
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.body.delivered, ['bob@localhost']);
    // A user whose sign-in address has a UTF-8 local part at an IDN domain.
    await api.create(admin, 'user_account', { email: 'Zoë@Bücher.example', password: 'zoë password' });
    assert.ok(await api.signin('zoë@xn--bcher-kva.example', 'zoë password'));
    assert.ok(await api.signin('ZOË@bücher.example', 'zoë password'));
  });

  test('quoted local parts are accepted in their RFC 5321 form', async () => {
    const id = await api.create(admin, 'user_account', { email: '"john doe"@localhost', password: 'john doe password' });
    assert.equal((await api.get(`/api/user_account/${id}`, admin)).body.data.attributes.email, '"john doe"@localhost');
  });

  test('refusals say why', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['user_account', { email: 'admin@@localhost', password: 'whatever pass' }, /email: .*local part/],
      ['user_account', { email: 'someone@[127.0.0.1]', password: 'whatever pass' }, /email: address literals/],
      ['mail_account', { username: 'no-domain', password: 'x' }, /username: expected a full address/],
      ['mail_server', { hostname: 'under_score.example' }, /hostname: .*not a host name/],
      // ACME servers take ASCII contacts only (RFC 8555 §7.3 mailto:).
      ['certificate', { hostname: 'localhost', acme_email: 'jörg@example.com' }, /acme_email: .*non-ASCII/],
    ];
    for (const [type, attributes, detail] of cases) {
      const reply = await api.post(`/api/${type}`, admin, { data: { type, attributes } });
      assert.equal(reply.status, 422, `${type} ${JSON.stringify(attributes)}: ${reply.text}`);
      assert.match(reply.body.errors[0].detail, detail);
    }
    const bad = await api.post('/v1/account/bob@localhost/submit', admin, { to: 'someone@exa mple.com', text: 'x' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /to.*space or control/);
  });
});
