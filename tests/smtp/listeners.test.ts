// Listeners follow mail_server rows without a restart; a listener that cannot
// bind is reported and the others keep running; max_clients and per-address
// concurrency answer 421 4.7.0.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createMailServer, deleteMailServer, updateMailServer } from '../../schema/index.ts';
import type { SmtpService } from '../../smtpd/service.ts';
import { eventually } from '../helpers/deadline.ts';
import { ALICE, ALICE_PASSWORD, smtpHeron, stopHeron, type TestHeron } from './fixtures.ts';
import { RawSmtp } from './client.ts';
import { startDns, type TestDns } from './dns.ts';

let heron: TestHeron;
let dns: TestDns;
let smtp: SmtpService;

before(async () => {
  dns = await startDns();
  heron = await smtpHeron({ env: { HERON_DNS: dns.address, HERON_SMTP_MAX_PER_CLIENT: '4' } });
  smtp = heron.services.find((s) => s.name === 'smtp') as SmtpService;
});
after(async () => {
  await stopHeron(heron);
  await dns.close();
});

async function greeting(port: number, implicitTls = false): Promise<string> {
  const c = await RawSmtp.connect(port, { implicitTls });
  const r = await c.reply();
  await c.quit();
  return r.text;
}

describe('listeners from mail_server rows', () => {
  test('create, change, disable and delete a row: its listener follows without a restart', async () => {
    const row = await createMailServer(heron.store, { hostname: 'mail.other.test', listen_interface: '127.0.0.1:0', max_clients: 10 });
    await smtp.reload();
    const first = smtp.rowPort(row.id);
    assert.ok(first, 'listening after create');
    assert.match(await greeting(first), /^220 mail\.other\.test ESMTP/);
    assert.ok(smtp.describe().some((d) => d.includes(`mail_server mail.other.test smtp://127.0.0.1:${first}`)));

    // always_on_tls: the listener is restarted with implicit TLS.
    await updateMailServer(heron.store, row.id, { always_on_tls: true, authentication_required: true });
    await smtp.reload();
    const second = smtp.rowPort(row.id);
    assert.ok(second);
    assert.match(await greeting(second, true), /^220 mail\.other\.test ESMTP/);
    const c = await RawSmtp.connect(second, { implicitTls: true });
    const ehlo = await c.hello();
    assert.match(ehlo.text, /AUTH PLAIN LOGIN/);
    assert.match((await c.cmd(`MAIL FROM:<${ALICE}>`)).text, /^530 5\.7\.0 /);
    assert.equal((await c.authPlain(ALICE, ALICE_PASSWORD)).code, 235);
    await c.quit();

    // max_size changes in place: the listener keeps its socket and advertises the new SIZE.
    await updateMailServer(heron.store, row.id, { max_size: 12345 });
    await smtp.reload();
    assert.equal(smtp.rowPort(row.id), second);
    const d = await RawSmtp.connect(second, { implicitTls: true });
    assert.match((await d.hello()).text, /SIZE 12345/);
    await d.quit();

    await updateMailServer(heron.store, row.id, { is_enabled: false });
    await smtp.reload();
    assert.equal(smtp.rowPort(row.id), null);
    await assert.rejects(RawSmtp.connect(second, { implicitTls: true }));

    await updateMailServer(heron.store, row.id, { is_enabled: true, always_on_tls: false });
    await smtp.reload();
    const third = smtp.rowPort(row.id);
    assert.ok(third);
    await deleteMailServer(heron.store, row.id);
    await smtp.reload();
    assert.equal(smtp.rowPort(row.id), null);
    await assert.rejects(RawSmtp.connect(third));
  });

  test('a row whose port is taken is reported; the other listeners keep running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const row = await createMailServer(heron.store, { hostname: 'busy.test', listen_interface: `127.0.0.1:${taken}` });
      await smtp.reload();
      assert.equal(smtp.rowPort(row.id), null);
      assert.ok(smtp.describe().some((d) => d.includes('busy.test') && d.includes(`NOT LISTENING`) && d.includes(`port ${taken}`)));
      assert.match(await greeting(heron.ports.smtp), /^220 heron\.test/);
      // Once the port is free, the next reload binds it.
      await new Promise<void>((r) => blocker.close(() => r()));
      await updateMailServer(heron.store, row.id, { max_clients: 50 });
      await smtp.reload();
      assert.equal(smtp.rowPort(row.id), taken);
      await deleteMailServer(heron.store, row.id);
      await smtp.reload();
    } finally {
      if (blocker.listening) blocker.close();
    }
  });

  test('max_clients: the connection over the limit gets 421 4.7.0', async () => {
    const row = await createMailServer(heron.store, { hostname: 'small.test', listen_interface: '127.0.0.1:0', max_clients: 2 });
    await smtp.reload();
    const port = smtp.rowPort(row.id)!;
    const open = [await RawSmtp.connect(port), await RawSmtp.connect(port)];
    for (const c of open) assert.equal((await c.reply()).code, 220);
    const third = await RawSmtp.connect(port);
    assert.match((await third.reply()).text, /^421 4\.7\.0 /);
    third.close();
    for (const c of open) await c.quit();
    await deleteMailServer(heron.store, row.id);
    await smtp.reload();
  });

  test('sessions per client address are limited across listeners (421 4.7.0)', async () => {
    const open: RawSmtp[] = [];
    for (const port of [heron.ports.smtp, heron.ports.submission, heron.ports.smtp, heron.ports.submission]) {
      const c = await RawSmtp.connect(port);
      assert.equal((await c.reply()).code, 220);
      open.push(c);
    }
    const fifth = await RawSmtp.connect(heron.ports.smtp);
    assert.match((await fifth.reply()).text, /^421 4\.7\.0 .*127\.0\.0\.1/);
    fifth.close();
    await open.pop()!.quit();
    // A slot is free again once the server has seen the session end (it may see
    // a new connection first, so ask until it is admitted).
    const admitted = await eventually(async () => {
      const c = await RawSmtp.connect(heron.ports.smtp);
      const greeting = (await c.reply()).text;
      await c.quit();
      return greeting.startsWith('220') && greeting;
    }, 'a session slot to be freed');
    assert.match(admitted, /^220 /);
    for (const c of open) await c.quit();
  });
});
