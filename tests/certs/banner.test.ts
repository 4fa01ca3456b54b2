// The first start prints the DNS records to publish (and creates the DKIM key
// they name); later starts do not repeat them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findActiveDkimKey } from '../../schema/index.ts';
import { startupBanner } from '../../server/banner.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';

test('first start prints the zone records; a restart does not', async () => {
  const first = await startTestHeron();
  try {
    const banner = startupBanner(first);
    assert.match(banner, /DNS records to publish for heron\.test/);
    assert.match(banner, /^ {2}heron\.test\. 3600 IN MX 10 heron\.test\.$/m);
    const key = (await findActiveDkimKey(first.store, TEST_HOSTNAME))!;
    assert.equal(key.selector, 'd1');
    assert.match(banner, /^ {2}d1\._domainkey\.heron\.test\. 3600 IN TXT "v=DKIM1; k=rsa; p=/m);
    assert.equal(/^ {2};/m.test(banner), false, 'records only, no comment lines');
  } finally {
    await first.stop();
  }
  const again = await startTestHeron({ dataDir: first.dataDir });
  try {
    assert.equal(again.firstStartZone, null);
    assert.doesNotMatch(startupBanner(again), /DNS records to publish/);
  } finally {
    await again.stop();
    removeDir(first.dataDir);
  }
});
