// IMAP connection limits (README "Limits"): per client address across both
// listeners (BYE [UNAVAILABLE] in clear, no TLS handshake on 993), per
// listener, the descriptor budget derived from the open-file limit (a Heron
// under `ulimit -n 512` flooded with 400 connections keeps SMTP, IMAPS and
// /health working), and the login deadline that NOOPs do not extend.
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { descriptorBudget, parseOpenFileLimit } from '../../server/descriptor-budget.ts';
import { eventually, fetchWithDeadline, within } from '../helpers/deadline.ts';
import { removeDir, tempDir } from '../helpers/heron.ts';
import { connectSocket, LineSocket } from '../helpers/line-socket.ts';
import { type HeronProcess, startHeronProcess } from '../helpers/heron-process.ts';
import { PASSWORD, startImap } from './fixture.ts';

type Imap = Awaited<ReturnType<typeof startImap>>;

const DEADLINE_MS = 20_000;

/** A connection that collects what arrives; every wait has a deadline. */
class Peer extends LineSocket {
  constructor(socket: net.Socket) {
    super(socket);
  }

  get text(): string {
    return this.buffer;
  }

  /** Resolves once `done` holds; fails after `ms`, or when the connection closes first. */
  until(done: (p: Peer) => boolean, what: string, ms = DEADLINE_MS): Promise<string> {
    return within(this.readUntil(() => done(this)), ms, what);
  }

  closedWithin(what: string, ms = DEADLINE_MS): Promise<string> {
    return within(this.readUntil(() => this.isClosed), ms, `close (${what})`);
  }

  /** After STARTTLS was accepted. */
  startTls(): Promise<void> {
    return this.upgradeToTls();
  }
}

/** A plain TCP connection from `from` (any 127/8 address on Linux). */
async function plain(port: number, from = '127.0.0.1'): Promise<Peer> {
  return new Peer(await connectSocket(port, false, undefined, from));
}

/** Implicit TLS from `from`; resolves with the peer once the handshake is done, or null if the server closed first. */
async function secure(port: number, from = '127.0.0.1'): Promise<Peer | null> {
  const tcp = net.connect({ port, host: '127.0.0.1', localAddress: from });
  tcp.on('error', () => undefined);
  const socket = tls.connect({ socket: tcp, rejectUnauthorized: false, servername: 'heron.test' });
  const peer = new Peer(socket);
  const handshake = new Promise<boolean>((resolve) => {
    socket.once('secureConnect', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
  const ok = await within(handshake, DEADLINE_MS, 'the TLS handshake to finish or the server to close').catch((err: unknown) => {
    socket.destroy();
    throw err;
  });
  return ok ? peer : null;
}

const greeted = (p: Peer) => /^\* OK /.test(p.text) && p.text.includes('\r\n');

describe('connections per address and per listener', () => {
  let imap: Imap;
  const peers: Peer[] = [];
  before(async () => {
    imap = await startImap({ HERON_IMAP_MAX_PER_CLIENT: '5', HERON_IMAP_MAX_CONNECTIONS: '8' });
  });
  after(async () => {
    peers.forEach((p) => p.close());
    await imap.stop();
  });

  test('past the per-address limit: BYE [UNAVAILABLE] in clear, a closed socket before TLS; other addresses, SMTP and /health go on', async () => {
    const { heron } = imap;
    // Five from 127.0.0.1, on both listeners.
    for (let i = 0; i < 3; i++) peers.push(await plain(heron.ports.imap));
    for (let i = 0; i < 2; i++) peers.push((await secure(heron.ports.imaps))!);
    for (const p of peers.slice(0, 3)) await p.until(greeted, 'greeting');
    for (const p of peers.slice(3)) await p.until(greeted, 'greeting over TLS');

    const sixth = await plain(heron.ports.imap);
    await sixth.until((p) => p.text.includes('\r\n'), 'refusal');
    assert.equal(sixth.text, '* BYE [UNAVAILABLE] Too many connections from your address\r\n');
    await sixth.closedWithin('after BYE');

    // On the implicit-TLS port nothing is answered: the connection is closed before any handshake.
    const raw = await plain(heron.ports.imaps);
    raw.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]).toString('latin1'));
    await raw.closedWithin('refused before TLS');
    assert.equal(raw.text, '', 'no TLS handshake was answered');
    assert.equal(await secure(heron.ports.imaps), null);

    // Another loopback address is not affected, on either listener.
    const other = await plain(heron.ports.imap, '127.0.0.2');
    await other.until(greeted, 'greeting for 127.0.0.2');
    peers.push(other);
    const otherTls = await secure(heron.ports.imaps, '127.0.0.2');
    assert.ok(otherTls);
    await otherTls.until(greeted, 'TLS greeting for 127.0.0.2');
    peers.push(otherTls);

    // SMTP greets and /health answers from the same address as the flood.
    const smtp = await plain(heron.ports.smtp);
    await smtp.until((p) => p.text.includes('\r\n'), 'SMTP greeting');
    assert.match(smtp.text, /^220 /);
    smtp.close();
    const health = await fetchWithDeadline(`http://127.0.0.1:${heron.ports.api}/health`, {}, DEADLINE_MS);
    assert.equal(health.status, 200);

    // A slot comes back when the server has seen a connection end.
    peers.shift()!.close();
    const again = await eventually(async () => {
      const p = await plain(heron.ports.imap);
      await p.until((q) => q.text.includes('\r\n'), 'answer');
      return greeted(p) && p;
    }, 'admitted again after a close');
    peers.push(again);
  });

  test('a full listener refuses everyone while the other listener still accepts; logged-in sessions count', async () => {
    const { heron } = imap;
    const { user } = await imap.account();
    // So far: the cleartext listener has 4 (3 from 127.0.0.1, 1 from 127.0.0.2), the TLS one 3, of 8 each.
    const loggedIn = await secure(heron.ports.imaps, '127.0.0.30');
    assert.ok(loggedIn);
    await loggedIn.until(greeted, 'greeting');
    loggedIn.write(`l LOGIN ${user} "${PASSWORD}"\r\n`);
    await loggedIn.until((p) => /\r\nl OK/.test(p.text), 'LOGIN OK');
    peers.push(loggedIn);
    for (let i = 0; i < 4; i++) {
      const p = await plain(heron.ports.imap, `127.0.0.${10 + i}`);
      await p.until(greeted, 'greeting');
      peers.push(p);
    }
    const ninth = await plain(heron.ports.imap, '127.0.0.20');
    await ninth.until((p) => p.text.includes('\r\n'), 'refusal');
    assert.equal(ninth.text, '* BYE [UNAVAILABLE] Too many connections; try again later\r\n');
    await ninth.closedWithin('after BYE');
    const tlsStill = await secure(heron.ports.imaps, '127.0.0.21');
    assert.ok(tlsStill, 'the implicit-TLS listener has its own total');
    await tlsStill.until(greeted, 'greeting');
    peers.push(tlsStill);
  });
});

describe('an ended connection gives its slot back, however it ended', () => {
  let imap: Imap;
  before(async () => {
    imap = await startImap({ HERON_IMAP_MAX_PER_CLIENT: '5' });
  });
  after(() => imap.stop());

  /** Five connections from one address, each ending a different way: every one must give its slot back (one close listener per connection does it). */
  test('in the TLS handshake, before login, idling after login, after STARTTLS, on the cleartext port', async () => {
    const { heron } = imap;
    const { user } = await imap.account();
    const from = '127.0.0.40';
    for (let round = 0; round < 3; round++) {
      const ended: Peer[] = [];
      // A handshake cut short: half a ClientHello, then the client goes.
      const half = await plain(heron.ports.imaps, from);
      half.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]).toString('latin1'));
      ended.push(half);
      const greetedTls = await secure(heron.ports.imaps, from);
      assert.ok(greetedTls, `round ${round}: a TLS connection is admitted`);
      await greetedTls.until(greeted, 'TLS greeting');
      ended.push(greetedTls);
      const idling = (await secure(heron.ports.imaps, from))!;
      assert.ok(idling);
      await idling.until(greeted, 'TLS greeting');
      idling.write(`l LOGIN ${user} "${PASSWORD}"\r\ns SELECT INBOX\r\ni IDLE\r\n`);
      await idling.until((p) => /\r\n\+ idling\r\n/.test(p.text), 'IDLE');
      ended.push(idling);
      const cleartext = await plain(heron.ports.imap, from);
      await cleartext.until(greeted, 'greeting');
      ended.push(cleartext);
      const upgraded = await plain(heron.ports.imap, from);
      await upgraded.until(greeted, 'greeting');
      upgraded.write('s STARTTLS\r\n');
      await upgraded.until((p) => /s OK/.test(p.text), 'STARTTLS OK');
      await upgraded.startTls();
      ended.push(upgraded);
      // The address is full now: a sixth is refused.
      const sixth = await plain(heron.ports.imap, from);
      await sixth.until((p) => p.text.includes('\r\n'), 'refusal');
      assert.equal(sixth.text, '* BYE [UNAVAILABLE] Too many connections from your address\r\n', `round ${round}: five are counted`);
      await sixth.closedWithin('after BYE');
      for (const p of ended) p.close();
      // All five slots come back: five new connections from the address are greeted.
      await eventually(async () => {
        const fresh: Peer[] = [];
        try {
          for (let i = 0; i < 5; i++) {
            const p = await plain(heron.ports.imap, from);
            fresh.push(p);
            await p.until((q) => q.text.includes('\r\n'), 'answer');
            if (!greeted(p)) return false;
          }
          return true;
        } finally {
          for (const p of fresh) p.close();
        }
      }, `round ${round}: all five slots given back`);
      // Let the server see those five go before the next round.
      await eventually(async () => {
        const p = await plain(heron.ports.imap, from);
        try {
          await p.until((q) => q.text.includes('\r\n'), 'answer');
          return greeted(p);
        } finally {
          p.close();
        }
      }, 'the fresh connections were seen to end');
    }
  });
});

describe('the login deadline counts from the accept', () => {
  let imap: Imap;
  before(async () => {
    imap = await startImap({ HERON_IMAP_LOGIN_TIMEOUT_SECONDS: '3' });
  });
  after(() => imap.stop());

  test('a session sending NOOP every second is closed with BYE once the deadline passes', async () => {
    const c = await plain(imap.heron.ports.imap);
    await c.until(greeted, 'greeting');
    let sent = 0;
    const noops = setInterval(() => {
      if (!c.isClosed) c.write(`n${++sent} NOOP\r\n`);
    }, 1000);
    try {
      await c.until((p) => /\* BYE Autologout/.test(p.text), 'BYE', 30_000);
      await c.closedWithin('after BYE');
    } finally {
      clearInterval(noops);
    }
    // The NOOPs were answered: the session was not idle, the deadline is a total.
    assert.match(c.text, /n1 OK/);
    assert.match(c.text, /\* BYE Autologout; no login within 3 seconds\r\n/);
  });

  test('logging in before the deadline keeps the session past it', async () => {
    const { user } = await imap.account();
    const c = await imap.login(user);
    await new Promise((r) => setTimeout(r, 3500));
    assert.match(await c.command('a', 'NOOP'), /^a OK/m);
  });

  test('a TLS handshake that never starts is cut off (implicit TLS)', async () => {
    const c = await plain(imap.heron.ports.imaps);
    await c.closedWithin('idle handshake', 30_000);
    assert.equal(c.text, '');
  });

  test('a STARTTLS handshake that never starts is cut off', async () => {
    const c = await plain(imap.heron.ports.imap);
    await c.until(greeted, 'greeting');
    c.write('s STARTTLS\r\n');
    await c.until((p) => /s OK/.test(p.text), 'STARTTLS OK');
    await c.closedWithin('idle STARTTLS handshake', 30_000);
  });
});

describe('the descriptor budget', () => {
  test('is read from /proc/<pid>/limits and shared out', () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            4096                 524288               files     \n';
    assert.equal(parseOpenFileLimit(limits), 4096);
    assert.equal(parseOpenFileLimit('Max open files            unlimited            unlimited            files\n'), Number.MAX_SAFE_INTEGER);
    assert.equal(parseOpenFileLimit('nothing here'), null);
    const b = descriptorBudget({ openFiles: 4096, outboundConcurrency: 20 });
    assert.deepEqual(b, { openFiles: 4096, reserved: 104, apiConnections: 409, imapPerListener: 1074, smtpTotal: 1435, overcommitted: false });
    assert.equal(b.reserved + b.apiConnections + 2 * b.imapPerListener + b.smtpTotal, 4096);
    const set = descriptorBudget({ openFiles: 1024, outboundConcurrency: 20, imapPerListener: 1000 });
    assert.equal(set.imapPerListener, 1000);
    assert.equal(set.overcommitted, true);
  });

  describe('a Heron under ulimit -n 512, flooded with 400 IMAP connections from 40 addresses', () => {
    const dataDir = tempDir();
    let heron: HeronProcess;
    const flood: Peer[] = [];
    before(async () => {
      heron = await startHeronProcess(dataDir, { openFiles: 512 });
    });
    after(() => {
      flood.forEach((p) => p.close());
      heron.kill();
      removeDir(dataDir);
    });

    test('the banner shows the budget; past the IMAP share connections are refused and nothing else starves', async () => {
      const { ports } = heron;
      assert.match(heron.output(), /limits {6}open files 512: API 51, IMAP 107 per listener, SMTP 143 in all, 104 kept back/);
      for (let a = 0; a < 40; a++) {
        for (let i = 0; i < 10; i++) flood.push(await plain(ports.imap, `127.0.1.${a + 1}`));
      }
      for (const p of flood) await p.until((q) => q.text.includes('\r\n'), 'greeting or refusal');
      const admitted = flood.filter(greeted).length;
      const refused = flood.filter((p) => p.text.startsWith('* BYE [UNAVAILABLE] Too many connections; try again later')).length;
      console.log(`flood of 400 plain IMAP connections under ulimit -n 512: ${admitted} admitted, ${refused} refused`);
      assert.equal(admitted, 107);
      assert.equal(refused, 400 - 107);
      const imaps = await secure(ports.imaps, '127.0.2.1');
      assert.ok(imaps, 'IMAPS handshake');
      await imaps.until(greeted, 'IMAPS greeting');
      imaps.close();
      const smtp = await plain(ports.smtp, '127.0.2.2');
      await smtp.until((p) => p.text.includes('\r\n'), 'SMTP greeting');
      assert.match(smtp.text, /^220 /);
      smtp.close();
      const health = await fetchWithDeadline(`http://127.0.0.1:${ports.api}/health`, {}, DEADLINE_MS);
      assert.equal(health.status, 200);
      assert.doesNotMatch(heron.output(), /EMFILE/);
      assert.equal(heron.child.exitCode, null);
    });
  });
});
