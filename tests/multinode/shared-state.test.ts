// What two nodes on one database share besides mail: authentication throttle
// records, pending ACME HTTP-01 challenges (the CA may ask either node), the
// per-account IMAP connection cap, certificates (hot-swapped on every node)
// and mail_server listeners (opened on every node).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { countImapSessions, findCertificate } from '../../schema/index.ts';
import { call, signIn } from '../certs/api.ts';
import { startTestDns, type TestDns } from '../certs/dns-server.ts';
import { type Pebble, preparePebble, startPebble } from '../certs/pebble.ts';
import { engineDescribe } from '../helpers/database.ts';
import { tempDir, removeDir, TEST_HOSTNAME } from '../helpers/heron.ts';
import { RawClient } from '../imap/raw-client.ts';
import { RawSmtp } from '../smtp/client.ts';
import { account, eventually, type Node, type Nodes, startNodes } from './nodes.ts';

const PASSWORD = 'node password 2';
const ACME_EMAIL = 'ops@heron.test';

/** The fingerprint of the certificate an implicit-TLS listener presents for a server name. */
function presented(port: number, servername: string, ca?: string): Promise<{ fingerprint: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      resolve({ fingerprint: socket.getPeerCertificate().fingerprint256, authorized: socket.authorized });
      socket.destroy();
    });
    socket.setTimeout(15_000, () => socket.destroy(new Error('no TLS handshake within 15 s')));
    socket.on('error', reject);
  });
}

const fingerprintOf = (pem: string) => new crypto.X509Certificate(pem).fingerprint256;

engineDescribe(
  'postgres',
  'two nodes on one database: throttles, ACME challenges, connection caps, certificates, listeners',
  () => {
    let workDir: string;
    let dns: TestDns;
    let pebble: Pebble;
    let cluster: Nodes;
    let a: Node;
    let b: Node;
    let apiA: string;
    let token: string;

    before(async () => {
      workDir = tempDir('heron-nodes-acme-');
      dns = await startTestDns([], { wildcardA: '127.0.0.1' });
      const prepared = await preparePebble(workDir);
      cluster = await startNodes(2, {
        HERON_ACME_DIRECTORY_URL: prepared.directoryUrl,
        HERON_ACME_CA_FILE: prepared.caFile,
        HERON_ACME_EMAIL: ACME_EMAIL,
        HERON_AUTH_MAX_FAILURES: '3',
        HERON_IMAP_MAX_CONNECTIONS_PER_USER: '3',
      });
      [a, b] = cluster.nodes;
      // Pebble validates HTTP-01 on node B's port only; the orders go to node A.
      pebble = await startPebble(prepared, { httpPort: b.ports.api, dnsServer: dns.server });
      apiA = `http://127.0.0.1:${a.ports.api}`;
      token = await signIn(apiA);
    });
    after(async () => {
      await cluster?.stop();
      await pebble?.stop();
      await dns?.close();
      removeDir(workDir);
    });

    test('failed logins on node A count on node B: the address is refused there; the owner from elsewhere is not', async () => {
      const erin = await account(a.store, 'erin', PASSWORD);
      const attacker = '127.0.0.31';
      for (let i = 0; i < 3; i++) {
        const c = await RawClient.connect(a.ports.imaps, { tls: true, localAddress: attacker });
        assert.match(await c.command('L1', `LOGIN ${erin.username} "wrong ${i}"`), /L1 NO \[AUTHENTICATIONFAILED\]/);
        c.close();
      }
      const onB = await RawClient.connect(b.ports.imaps, { tls: true, localAddress: attacker });
      assert.match(await onB.command('L1', `LOGIN ${erin.username} "${PASSWORD}"`), /L1 NO \[UNAVAILABLE\] Too many failed attempts/);
      onB.close();
      // SMTP AUTH on node B reads the same records.
      const smtp = await RawSmtp.connect(b.ports.submissions, { implicitTls: true, localAddress: attacker });
      await smtp.hello();
      assert.equal((await smtp.authPlain(erin.username, PASSWORD)).code, 454);
      await smtp.quit();
      // Erin, from her own address, logs in on either node.
      const owner = await RawClient.connect(b.ports.imaps, { tls: true, localAddress: '127.0.0.32' });
      assert.match(await owner.command('L1', `LOGIN ${erin.username} "${PASSWORD}"`), /L1 OK/);
      owner.close();
    });

    test('an ACME order placed on node A is validated through node B (HTTP-01), and B serves the certificate', async () => {
      const hostname = `mx2.${TEST_HOSTNAME}`;
      const reply = await call(apiA, 'POST', '/action/certificate/generate_acme_certificate', { token, body: { attributes: { hostname } } });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.data.attributes.source, 'acme');
      // Nothing is left pending once the order is through.
      assert.equal((await b.store.all('SELECT token FROM acme_challenge')).length, 0);
      const row = (await findCertificate(b.store, hostname))!;
      const root = await pebble.root();
      await eventually('node B serves the ACME certificate', async () => (await presented(b.ports.imaps, hostname, root)).fingerprint === fingerprintOf(row.certificate_pem));
      assert.equal((await presented(b.ports.imaps, hostname, root)).authorized, true);
    });

    test('a challenge stored through node A is answered by node B, and only while it is pending', async () => {
      const challengeToken = crypto.randomBytes(24).toString('base64url');
      await a.apiDeps.challenges.set(challengeToken, `${challengeToken}.thumbprint`);
      const path = `/.well-known/acme-challenge/${challengeToken}`;
      const answer = await call(`http://127.0.0.1:${b.ports.api}`, 'GET', path);
      assert.equal(answer.status, 200);
      assert.equal(answer.text, `${challengeToken}.thumbprint`);
      await a.apiDeps.challenges.delete(challengeToken);
      assert.equal((await call(`http://127.0.0.1:${b.ports.api}`, 'GET', path)).status, 404);
    });

    test('the per-account IMAP connection cap counts sessions on both nodes', async () => {
      const fred = await account(a.store, 'fred', PASSWORD);
      const open: RawClient[] = [];
      const login = async (node: Node) => {
        const c = await RawClient.connect(node.ports.imaps, { tls: true, localAddress: '127.0.0.41' });
        open.push(c);
        return c.command('L1', `LOGIN ${fred.username} "${PASSWORD}"`);
      };
      try {
        assert.match(await login(a), /L1 OK/);
        assert.match(await login(a), /L1 OK/);
        assert.match(await login(b), /L1 OK/);
        assert.equal(await countImapSessions(b.store, fred.accountId), 3);
        assert.match(await login(b), /L1 NO \[LIMIT\]/);
        assert.match(await login(a), /L1 NO \[LIMIT\]/);
        // A session that ends on node A frees a slot for node B.
        assert.match(await open[0].command('Z1', 'LOGOUT'), /Z1 OK/);
        await eventually('the slot is given back', async () => (await countImapSessions(b.store, fred.accountId)) === 2);
        assert.match(await login(b), /L1 OK/);
      } finally {
        for (const c of open) c.close();
      }
      await eventually('every slot is given back when the connections close', async () => (await countImapSessions(b.store, fred.accountId)) === 0);
    });

    test("a certificate replaced through node A's API is what node B's IMAPS presents, without a restart", async () => {
      const before = await presented(b.ports.imaps, TEST_HOSTNAME);
      const listed = await call(apiA, 'GET', `/api/certificate?filter[hostname]=${TEST_HOSTNAME}`, { token });
      const id = listed.json.data[0].id as string;
      const generated = await call(apiA, 'POST', '/action/certificate/generate_self_certificate', { token, body: { attributes: {}, certificate_id: id } });
      assert.equal(generated.status, 200, generated.text);
      const expected = fingerprintOf((await findCertificate(a.store, TEST_HOSTNAME))!.certificate_pem);
      assert.notEqual(expected, before.fingerprint);
      await eventually('node B presents the new certificate', async () => (await presented(b.ports.imaps, TEST_HOSTNAME)).fingerprint === expected);
    });

    test("a mail_server row added through node A's API opens its listener on node B; deleting it closes it", async () => {
      const created = await call(apiA, 'POST', '/api/mail_server', {
        token,
        raw: JSON.stringify({ data: { type: 'mail_server', attributes: { hostname: 'mail.other.test', listen_interface: '127.0.0.1:0' } } }),
        headers: { 'content-type': 'application/vnd.api+json' },
      });
      assert.equal(created.status, 201, created.text);
      const listenerOnB = () => b.services.flatMap((s) => s.listeners?.() ?? []).find((l) => l.name === 'mail_server mail.other.test' && l.listening);
      await eventually('node B listens for mail.other.test', () => listenerOnB() !== undefined);
      const smtp = await RawSmtp.connect(listenerOnB()!.port);
      assert.match((await smtp.hello()).text, /^250[- ]mail\.other\.test/m);
      await smtp.quit();
      const port = listenerOnB()!.port;
      const removed = await call(apiA, 'DELETE', `/api/mail_server/${created.json.data.id as string}`, { token });
      assert.ok(removed.status === 200 || removed.status === 204, removed.text);
      await eventually('node B stops listening for mail.other.test', () => listenerOnB() === undefined);
      await assert.rejects(RawSmtp.connect(port));
    });
  },
  { timeout: 240_000 },
);
