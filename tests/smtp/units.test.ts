// Pure parts of smtpd: listen_interface parsing, header handling, the score table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SpamWeights } from '../../server/config.ts';
import { parseHeaderFields } from '../../schema/index.ts';
import { receivedCount, stripForgedResults } from '../../smtpd/scoring/headers.ts';
import { destinationFor, spamScore } from '../../smtpd/scoring/score.ts';
import { parseListenInterface } from '../../smtpd/service.ts';

const daptin: SpamWeights = { spfError: 50, spfFail: 200, dkimFail: 100, dmarcFail: 100, flagAbove: 50, junkAbove: 299 };

describe('smtpd pure functions', () => {
  test('listen_interface in Daptin form', () => {
    assert.deepEqual(parseListenInterface('0.0.0.0:465', '127.0.0.1'), { host: '0.0.0.0', port: 465 });
    assert.deepEqual(parseListenInterface(':2525', '127.0.0.1'), { host: '127.0.0.1', port: 2525 });
    assert.deepEqual(parseListenInterface('[::1]:25', '0.0.0.0'), { host: '::1', port: 25 });
    for (const bad of ['465', 'host', '1.2.3.4:99999', '1.2.3.4:', 'a b:25']) assert.equal(parseListenInterface(bad, 'x'), null, bad);
  });

  test("Daptin's example scores and destinations", () => {
    const cases: Array<[string, string[], string, number, string]> = [
      ['pass', ['pass'], 'pass', 0, 'inbox'],
      ['temperror', [], 'none', 150, 'flagged'],
      ['fail', [], 'none', 300, 'junk'],
      ['pass', ['fail', 'fail'], 'pass', 200, 'flagged'],
      ['none', ['pass'], 'pass', 0, 'inbox'],
      ['neutral', ['pass'], 'none', 0, 'inbox'],
      ['permerror', ['pass'], 'none', 50, 'inbox'],
      ['softfail', ['none'], 'fail', 400, 'junk'],
    ];
    for (const [spf, dkim, dmarc, score, where] of cases) {
      assert.equal(spamScore({ spf, dkim, dmarc }, daptin), score, `${spf} ${dkim} ${dmarc}`);
      assert.equal(destinationFor(score, daptin), where);
    }
  });

  test('forged Authentication-Results with our authserv-id are removed, folded lines included', () => {
    const raw = Buffer.from(
      'Received: from a by b; x\r\nAuthentication-Results: HERON.TEST;\r\n spf=pass\r\n\tdkim=pass\r\nAuthentication-Results: other.test; spf=fail\r\nSubject: s\r\n\r\nAuthentication-Results: heron.test; body line\r\n',
    );
    const out = stripForgedResults(raw, new Set(['heron.test'])).toString();
    assert.equal(out, 'Received: from a by b; x\r\nAuthentication-Results: other.test; spf=fail\r\nSubject: s\r\n\r\nAuthentication-Results: heron.test; body line\r\n');
    assert.equal(receivedCount(parseHeaderFields(raw)), 1);
  });
});
