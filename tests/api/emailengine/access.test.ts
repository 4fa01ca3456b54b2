// Who may call the mail API: sign-in tokens (an admin any account, a user
// their own), and mail API tokens made through the admin API (JSON:API
// access_token, or EmailEngine's POST /v1/token): stored hashed, limited to
// scopes and accounts, revocable, expiring, last use recorded at most once a
// minute, never opening the admin API.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { createAccessToken, createMailAccount, findUserByEmail } from '../../../schema/index.ts';
import { assertError } from '../client.ts';
import { assertMailApiError, type MailWorld, OTHER, OWNER, plain, useMailWorld } from './world.ts';

describe('mail API: who may call', () => {
  let w: MailWorld;
  let messageId: string;
  useMailWorld(async (world) => {
    w = world;
    messageId = await w.deliver(OWNER, 'INBOX', plain('guarded'));
  });

  async function makeToken(signIn: string, attributes: Record<string, unknown>): Promise<{ id: string; token: string; attributes: Record<string, unknown> }> {
    const reply = await w.api.post('/api/access_token', signIn, { data: { type: 'access_token', attributes } });
    assert.equal(reply.status, 201, reply.text);
    const { token, ...rest } = reply.body.data.attributes;
    return { id: reply.body.data.id, token, attributes: rest };
  }

  test('a token is shown once, stored only as its hash, and lists its scopes and accounts', async () => {
    const made = await makeToken(w.owner, { description: 'reader', scopes: ['read'], accounts: [OWNER] });
    assert.match(made.token, /^[0-9a-f]{64}$/);
    assert.deepEqual([made.attributes.description, made.attributes.scopes, made.attributes.accounts], ['reader', ['read'], [OWNER]]);
    assert.equal(made.attributes.last_used_at, null);
    const read = await w.api.get(`/api/access_token/${made.id}`, w.owner);
    assert.equal(read.status, 200);
    assert.equal(read.body.data.attributes.token, undefined);
    assert.equal(read.body.data.attributes.token_hash, undefined);
    assert.equal(read.body.data.attributes.mail_account_ids, undefined);
    const rows = await w.heron.store.all<{ token_hash: string }>(`SELECT token_hash FROM access_token WHERE reference_id = ?`, made.id);
    assert.deepEqual(rows, [{ token_hash: crypto.createHash('sha256').update(made.token).digest('hex') }]);
    assert.ok(!JSON.stringify(await w.heron.store.all(`SELECT * FROM access_token`)).includes(made.token));
    // Another user does not see it; the admin does.
    assert.equal((await w.api.get(`/api/access_token/${made.id}`, w.other)).status, 404);
    assert.equal((await w.api.get(`/api/access_token/${made.id}`, w.admin)).status, 200);
  });

  test('scopes: read reads; changing needs write (403 otherwise), sending needs send', async () => {
    const reader = (await makeToken(w.owner, { scopes: ['read'] })).token;
    assert.equal((await w.call('GET', `/v1/account/${OWNER}/messages?path=INBOX`, reader)).status, 200);
    assert.equal((await w.call('GET', `/v1/account/${OWNER}/message/${messageId}`, reader)).status, 200);
    const refused = await w.call('PUT', `/v1/account/${OWNER}/message/${messageId}`, reader, { flags: { add: ['\\Seen'] } });
    assertMailApiError(refused, 403);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/message/${messageId}?markAsSeen=true`, reader), 403);
    assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/mailbox`, reader, { path: 'Nope' }), 403);
    assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/submit`, reader, { to: OTHER, subject: 'hi', text: 'hi' }), 403);
    assert.deepEqual((await w.call('GET', `/v1/account/${OWNER}/message/${messageId}`, reader)).body.flags, [], 'nothing changed');

    const writer = (await makeToken(w.owner, { scopes: ['write'] })).token;
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/messages?path=INBOX`, writer), 403);
    assert.deepEqual((await w.call('PUT', `/v1/account/${OWNER}/message/${messageId}`, writer, { flags: { add: ['$Checked'] } })).body, { flags: { add: true } });

    const sender = (await makeToken(w.owner, { scopes: ['send'] })).token;
    const sent = await w.call('POST', `/v1/account/${OWNER}/submit`, sender, { to: OTHER, subject: 'by token', text: 'Hello from a token.' });
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.body.delivered, [OTHER]);
    assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/submit`, sender, { from: OTHER, to: OWNER, text: 'as someone else' }), 403);
  });

  test("accounts: a token reaches its list, or all its owner's, never another user's", async () => {
    const owner = await findUserByEmail(w.heron.store, 'owner-user@heron.test');
    const second = await createMailAccount(w.heron.store, { username: 'owner2@heron.test', password: 'x', mailServerId: w.ownerAccount.mail_server_id, userAccountId: owner!.id });
    const all = (await makeToken(w.owner, { scopes: ['read'] })).token;
    const one = (await makeToken(w.owner, { scopes: ['read'], accounts: [w.ownerAccount.reference_id] })).token;
    assert.equal((await w.call('GET', `/v1/account/${second.username}/mailboxes`, all)).status, 200);
    assert.equal((await w.call('GET', `/v1/account/${OWNER}/mailboxes`, one)).status, 200);
    assertMailApiError(await w.call('GET', `/v1/account/${second.username}/mailboxes`, one), 404);
    assertMailApiError(await w.call('GET', `/v1/account/${OTHER}/mailboxes`, all), 404);
    assertMailApiError(await w.call('GET', `/v1/account/${OTHER}/message/${messageId}`, all), 404);
    // A message id of the owner's account, asked for through another account of theirs: not there.
    assertMailApiError(await w.call('GET', `/v1/account/${second.username}/message/${messageId}`, all), 404);

    const foreign = await w.api.post('/api/access_token', w.owner, { data: { type: 'access_token', attributes: { scopes: ['read'], accounts: [OTHER] } } });
    assertError(foreign, 422);
    // The admin may make a token for any account, and it reaches only that one.
    const adminToken = (await makeToken(w.admin, { scopes: ['read'], accounts: [OTHER] })).token;
    assert.equal((await w.call('GET', `/v1/account/${OTHER}/mailboxes`, adminToken)).status, 200);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/mailboxes`, adminToken), 404);
    // Without a list the admin's token reaches the admin's own accounts (none), not every account.
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/mailboxes`, (await makeToken(w.admin, { scopes: ['read'] })).token), 404);
  });

  test('revoked and expired tokens are 401; a token never opens the admin API', async () => {
    const made = await makeToken(w.owner, { scopes: ['read', 'write'] });
    assert.equal((await w.call('GET', `/v1/account/${OWNER}/mailboxes`, made.token)).status, 200);
    assertError(await w.api.get('/api/mail_account', made.token), 403);
    assertError(await w.api.get('/session', made.token), 403);
    assertError(await w.api.post('/api/access_token', made.token, { data: { type: 'access_token', attributes: { scopes: ['read'] } } }), 403);
    assertMailApiError(await w.call('POST', '/v1/token', made.token, { description: 'from a token' }), 403);
    assert.equal((await w.api.delete(`/api/access_token/${made.id}`, w.owner)).status, 204);
    const revoked = await w.call('GET', `/v1/account/${OWNER}/mailboxes`, made.token);
    assertMailApiError(revoked, 401);
    assert.equal(revoked.body.message, 'Bad token');

    const owner = await findUserByEmail(w.heron.store, 'owner-user@heron.test');
    const expired = await createAccessToken(w.heron.store, { userId: owner!.id, description: '', scopes: ['read'], accountIds: null, expiresAt: Date.now() - 1 });
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/mailboxes`, expired.token), 401);
    const missing = await w.call('GET', `/v1/account/${OWNER}/mailboxes`, undefined);
    assertMailApiError(missing, 401);
    assert.equal(missing.body.message, 'Missing authentication');
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/mailboxes`, 'f'.repeat(64)), 401);
  });

  test('last use is recorded, at most once a minute', async () => {
    const made = await makeToken(w.owner, { scopes: ['read'] });
    const lastUsed = async () => (await w.heron.store.get<{ t: number | null }>(`SELECT last_used_at AS t FROM access_token WHERE reference_id = ?`, made.id))!.t;
    assert.equal(await lastUsed(), null);
    const before = Date.now();
    await w.call('GET', `/v1/account/${OWNER}/mailboxes`, made.token);
    const first = Number(await lastUsed());
    assert.ok(first >= before && first <= Date.now(), String(first));
    await w.call('GET', `/v1/account/${OWNER}/mailboxes`, made.token);
    assert.equal(Number(await lastUsed()), first, 'not written again within the minute');
    await w.heron.store.run(`UPDATE access_token SET last_used_at = ? WHERE reference_id = ?`, first - 61_000, made.id);
    await w.call('GET', `/v1/account/${OWNER}/mailboxes`, made.token);
    assert.ok(Number(await lastUsed()) >= first, 'written again a minute later');
    const shown = await w.api.get(`/api/access_token/${made.id}`, w.owner);
    assert.match(shown.body.data.attributes.last_used_at, /^\d{4}-\d\d-\d\dT/);
  });

  test("EmailEngine's token routes: POST /v1/token, GET /v1/tokens, DELETE /v1/token/:token; ?access_token= works", async () => {
    const made = await w.call('POST', '/v1/token', w.owner, { account: OWNER, description: 'EmailEngine style', scopes: ['api'] });
    assert.equal(made.status, 200, made.text);
    assert.match(made.body.token, /^[0-9a-f]{64}$/);
    assert.equal(made.body.id, crypto.createHash('sha256').update(made.body.token).digest('hex'));
    const token = made.body.token as string;
    assert.equal((await w.call('GET', `/v1/account/${OWNER}/messages?path=INBOX&access_token=${token}`, undefined)).status, 200);
    assert.equal((await w.call('PUT', `/v1/account/${OWNER}/message/${messageId}`, token, { flags: { add: ['$ByApi'] } })).status, 200);
    assertMailApiError(await w.call('GET', `/v1/account/${OTHER}/mailboxes`, token), 404);
    const listed = await w.call('GET', '/v1/tokens', w.owner);
    const entry = listed.body.tokens.find((t: { id: string }) => t.id === made.body.id);
    assert.deepEqual([entry.description, entry.scopes, entry.account], ['EmailEngine style', ['read', 'send', 'write'], OWNER]);
    assert.ok(entry.access.time);
    assert.ok(!listed.text.includes(token));
    assertMailApiError(await w.call('DELETE', `/v1/token/${made.body.id}`, w.other), 404);
    assert.deepEqual((await w.call('DELETE', `/v1/token/${made.body.id}`, w.owner)).body, { deleted: true });
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/mailboxes`, token), 401);

    for (const bad of [{ description: '' }, { description: 'x', scopes: ['smtp'] }, { description: 'x', restrictions: { addresses: ['127.0.0.1'] } }, { description: 'x', expires: '2001-01-01' }]) {
      assertMailApiError(await w.call('POST', '/v1/token', w.owner, bad), 400);
    }
    assertMailApiError(await w.call('POST', '/v1/token', w.owner, { account: OTHER, description: 'x' }), 404);
  });
});
