// DKIM signing of outbound mail with one timestamp: mailauth reads the clock
// once for the header it signs and again for the header it returns, so a
// second boundary between the reads used to give a signature that covered one
// t= while the message carried the next (about 1 message in 35 failed).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dkimVerify } from 'mailauth';
import { createLogger } from '../../server/logger.ts';
import type { OutboundDeps } from '../../smtpd/outbound/deps.ts';
import { signMessage } from '../../smtpd/outbound/queue.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';
import { type LoopbackDns, publishDkimKey, startDns } from './helpers.ts';

describe('DKIM signing of outbound mail', () => {
  let dns: LoopbackDns;
  let heron: Awaited<ReturnType<typeof startTestHeron>>;
  let deps: OutboundDeps;

  before(async () => {
    dns = await startDns();
    heron = await startTestHeron({ env: { HERON_DNS: dns.server } });
    await publishDkimKey(heron, dns);
    deps = { store: heron.store, secret: heron.secret, hostname: TEST_HOSTNAME, dns: dns.server, settings: heron.config.outbound, log: createLogger('silent') };
  });

  after(async () => {
    await heron.stop();
    await dns.close();
    removeDir(heron.dataDir);
  });

  it('the returned header carries the t= that was signed, even when the clock moves a second between reads', async () => {
    const raw = Buffer.from('From: Alice <alice@heron.test>\r\nTo: carol@remote.test\r\nSubject: tick tock\r\nDate: Sat, 21 Nov 2026 12:00:00 +0000\r\n\r\nHello.\r\n');
    const realNow = Date.now;
    let reads = 0;
    // Every read of Date.now is one second later than the one before: the worst case, every time.
    Date.now = () => realNow() + 1000 * reads++;
    let signed: Buffer;
    try {
      signed = await signMessage(deps, raw, 'alice@heron.test');
    } finally {
      Date.now = realNow;
    }
    assert.ok(reads >= 2, `mailauth read the clock ${reads} time(s); the test needs it to read twice`);
    const header = signed.subarray(0, signed.indexOf('\r\n\r\n')).toString().replace(/\r\n[ \t]/g, ' ');
    const t = Number(/^DKIM-Signature:.*?\bt=(\d+);/m.exec(header)?.[1]);
    assert.ok(Math.abs(t - realNow() / 1000) < 60, `t=${t} is about now`);
    const verified = await dkimVerify(signed, { resolver: (name, type) => dns.resolver.resolve(name, type) as Promise<string[][]> });
    assert.equal(verified.results.length, 1);
    assert.equal(verified.results[0].status.result, 'pass', verified.results[0].info);
  });
});
