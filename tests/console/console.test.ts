// The web console in a real browser (Debian's Chromium through playwright-core)
// against a real Heron, a loopback DNS server and a closed SMTP port: an
// administrator signs in with the keyboard, adds a domain and checks its DNS
// records, creates an account; its owner signs in, changes the password and
// the new one works over IMAP; a message to an unreachable domain shows in the
// queue and is cancelled; a non-admin reaches no admin page (and the API
// refuses them); nothing scrolls sideways at 360 px. Screenshots of every page
// go to test-results/console/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../scripts/build-console.ts';
import { fetchWithDeadline, IMAP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron } from '../helpers/heron.ts';
import { closedPort, eventually, type LoopbackDns, outboundEnv, post, signIn, startDns } from '../outbound/helpers.ts';
import { launchChromium, openTab, overflowsSideways, screenshot, type Tab, WAIT_MS } from './browser.ts';

type TestHeron = Awaited<ReturnType<typeof startTestHeron>>;

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

async function signInWithForm(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function imapLogin(port: number, user: string, pass: string): Promise<boolean> {
  const client = new ImapFlow({ host: '127.0.0.1', port, secure: true, tls: { rejectUnauthorized: false }, auth: { user, pass }, logger: false, ...IMAP_CLIENT_DEADLINES });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.logout();
    return true;
  } catch {
    return false;
  }
}

describe('web console in Chromium', () => {
  let dns: LoopbackDns;
  let heron: TestHeron;
  let browser: Browser;
  let admin: Tab;
  let owner: Tab;
  let carolPassword = '';
  const tabs: Tab[] = [];

  before(async () => {
    await ensureConsoleBuilt();
    dns = await startDns(
      new Map([
        ['unreachable.test', { a: ['127.0.0.1'] }],
        // RFC 7505 null MX: a permanent failure at once, and a DSN to the sender.
        ['nullmx.test', { mx: [{ exchange: '', priority: 0 }] }],
      ]),
    );
    // Every destination's SMTP port is closed: deliveries are deferred (retried in 5 minutes), never made.
    heron = await startTestHeron({ env: outboundEnv(dns, await closedPort(), { HERON_OUTBOUND_RETRY_MIN_SECONDS: '300', HERON_OUTBOUND_RETRY_MAX_SECONDS: '600' }) });
    browser = await launchChromium();
    admin = await openTab(browser, `http://127.0.0.1:${heron.ports.api}`);
    tabs.push(admin);
  });

  after(async () => {
    await browser?.close();
    await heron?.stop();
    await dns?.close();
    if (heron) removeDir(heron.dataDir);
  });

  test('an administrator signs in with the keyboard only; the session is an HttpOnly, SameSite=Strict cookie', async () => {
    const { page, context } = admin;
    await page.goto('/');
    await heading(page, 'Heron').waitFor();
    await screenshot(page, '01-sign-in');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'signin-email');
    await page.keyboard.type(ADMIN_EMAIL);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'signin-password');
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await heading(page, 'Overview').waitFor();
    // The page heading takes focus after navigation, so keyboard users start at the content.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'token');
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    assert.equal(await page.evaluate(() => document.cookie.includes('token=')), false, 'script cannot read the session');
    await page.getByRole('heading', { name: 'Getting started' }).waitFor();
    await page.getByText(/heron\.test: 0 of \d+ records published/).waitFor();
    await screenshot(page, '02-overview-first-run');
  });

  test('the administrator adds a domain, sees its DNS records and checks them', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Domains' }).click();
    await heading(page, 'Domains').waitFor();
    await page.getByLabel('Domain', { exact: true }).fill('example.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('status').filter({ hasText: 'Added example.test' }).waitFor();
    await page.getByRole('table', { name: 'Hosted domains' }).getByRole('link', { name: 'example.test' }).click();
    await heading(page, 'example.test').waitFor();
    const records = page.getByRole('table', { name: 'DNS records for example.test' });
    const mx = records.getByRole('row').filter({ has: page.getByRole('cell', { name: 'MX', exact: true }) });
    await mx.getByText('10 heron.test.').waitFor();
    const spfRow = records.getByRole('row').filter({ hasText: 'v=spf1' }).first();
    const spf = (await spfRow.locator('td[data-label="Value"] code').textContent())!;
    // Publish only the SPF record in the loopback DNS: the check finds it and misses the rest.
    dns.zone.set('example.test', { txt: [spf] });
    await page.getByRole('button', { name: 'Check DNS now' }).click();
    await page.getByRole('status').filter({ hasText: /^Checked:/ }).waitFor();
    assert.match((await spfRow.locator('td[data-label="Check"]').textContent())!, /Present/);
    assert.match((await mx.locator('td[data-label="Check"]').textContent())!, /Missing/);
    await page.getByRole('table', { name: 'DKIM selectors of example.test' }).getByRole('cell', { name: 'd1' }).waitFor();
    await screenshot(page, '03-domain-records');
  });

  test('the administrator creates an account; its password is shown once', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await heading(page, 'Accounts').waitFor();
    await page.getByLabel('Address', { exact: true }).fill('carol');
    await page.getByLabel('Domain').selectOption('example.test');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Created carol@example.test.').waitFor();
    carolPassword = (await page.locator('code.password').textContent())!.trim();
    assert.match(carolPassword, /^[A-Za-z0-9_-]{24}$/);
    await page.getByRole('table', { name: /^Accounts/ }).getByRole('link', { name: 'carol@example.test' }).waitFor();
    await screenshot(page, '04-accounts');
    await page.getByRole('link', { name: 'Open carol@example.test' }).click();
    await heading(page, 'carol@example.test').waitFor();
    const boxes = page.getByRole('table', { name: 'Mailboxes of carol@example.test' });
    for (const name of ['INBOX', 'Sent', 'Drafts', 'Trash', 'Junk']) await boxes.getByRole('cell', { name, exact: true }).waitFor();
    await page.getByLabel('New alias').fill('sales@example.test');
    await page.getByRole('button', { name: 'Add alias' }).click();
    await page.getByRole('button', { name: 'Remove alias sales@example.test' }).waitFor();
    await screenshot(page, '05-account-detail');
    assert.equal(await imapLogin(heron.ports.imaps, 'carol@example.test', carolPassword), true, 'the generated password works over IMAP');
  });

  test("the account's owner signs in, changes the password, and the new password works over IMAP", async () => {
    owner = await openTab(browser, `http://127.0.0.1:${heron.ports.api}`);
    tabs.push(owner);
    const { page } = owner;
    await signInWithForm(page, 'carol@example.test', carolPassword);
    await heading(page, 'My account').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Queue', 'API tokens', 'My account']);
    await page.getByRole('table', { name: 'Servers for carol@example.test' }).getByRole('cell', { name: 'IMAP' }).first().waitFor();
    await page.getByText('Also receives mail for: sales@example.test').waitFor();

    await page.getByLabel('Current password').fill('not the password');
    await page.getByLabel('New password', { exact: true }).fill('carol-new-password');
    await page.getByLabel('New password again').fill('carol-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'current_password is not the current password' }).waitFor();

    await page.getByLabel('Current password').fill(carolPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
    await screenshot(page, '06-my-account');
    assert.equal(await imapLogin(heron.ports.imaps, 'carol@example.test', 'carol-new-password'), true, 'the new password works over IMAP');
    assert.equal(await imapLogin(heron.ports.imaps, 'carol@example.test', carolPassword), false, 'the old one no longer does');
    // And for signing in to the console.
    await signIn(heron.ports.api, 'carol@example.test', 'carol-new-password');
  });

  test('a non-admin reaches no admin page, and the API refuses their calls', async () => {
    const { page } = owner;
    for (const path of ['/overview', '/domains', '/accounts', '/certificates', '/domains/example.test']) {
      await page.goto(path);
      await heading(page, 'Page not found').waitFor();
    }
    await screenshot(page, '07-non-admin-refused');
    // Run in the page, as the console's own script would (cookie session, CSRF header). A string:
    // the test's compiled functions carry helpers the page does not have.
    const calls = await page.evaluate(`(async () => {
      const headers = { 'X-Requested-With': 'heron-console', 'Content-Type': 'application/vnd.api+json' };
      const status = async (path, init = {}) => (await fetch(path, { ...init, headers, signal: AbortSignal.timeout(${WAIT_MS}) })).status;
      const json = async (path) => (await fetch(path, { headers, signal: AbortSignal.timeout(${WAIT_MS}) })).json();
      return {
        stats: await status('/stats'),
        createDomain: await status('/api/mail_server', { method: 'POST', body: JSON.stringify({ data: { type: 'mail_server', attributes: { hostname: 'mine.test' } } }) }),
        dnsRecords: await status('/action/mail_server/dns_records', { method: 'POST', body: '{}' }),
        certificates: (await json('/api/certificate')).data.length,
        users: (await json('/api/user_account')).data.map((u) => u.attributes.email),
        alias: await status('/action/mail_alias/create', { method: 'POST', body: JSON.stringify({ attributes: { address: 'x@example.test', mail_account_id: '00000000-0000-4000-8000-000000000000' } }) }),
      };
    })()`);
    assert.deepEqual(calls, { stats: 403, createDomain: 403, dnsRecords: 403, certificates: 0, users: ['carol@example.test'], alias: 403 });
  });

  test('the owner makes an API token for the mail API, sees it once, uses it, and revokes it', async () => {
    const { page } = owner;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
    await heading(page, 'API tokens').waitFor();
    await page.getByLabel('What it is for').fill('helpdesk app');
    await page.getByLabel(/^write:/).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'Created “helpdesk app”' }).locator('code');
    await shown.waitFor();
    const token = (await shown.textContent()) ?? '';
    assert.match(token, /^\S{20,}$/);
    await page.getByRole('cell', { name: 'read, write' }).waitFor();
    await screenshot(page, '08-api-token');
    const mailboxes = () =>
      fetchWithDeadline(`http://127.0.0.1:${heron.ports.api}/v1/account/${encodeURIComponent('carol@example.test')}/mailboxes`, { headers: { Authorization: `Bearer ${token}` } });
    const allowed = await mailboxes();
    assert.equal(allowed.status, 200, await allowed.text());

    await page.getByRole('button', { name: 'Revoke helpdesk app' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Revoked “helpdesk app”.').waitFor();
    await page.getByText('No tokens yet.').waitFor();
    const refused = await mailboxes();
    assert.equal(refused.status, 401, await refused.text());
  });

  test('a message to an unreachable domain is in the queue with its error, and the administrator cancels it', async () => {
    const token = await signIn(heron.ports.api, 'carol@example.test', 'carol-new-password');
    const sent = await post(heron.ports.api, '/v1/account/carol@example.test/submit', token, { to: 'dave@unreachable.test', subject: 'Hello', text: 'Are you there?' });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const queueId = (sent.body as { queueId: string }).queueId;
    const adminToken = await signIn(heron.ports.api, ADMIN_EMAIL, ADMIN_PASSWORD);
    const row = async () => (await fetchWithDeadline(`http://127.0.0.1:${heron.ports.api}/api/outbox/${queueId}`, { headers: { Authorization: `Bearer ${adminToken}` } }).then((r) => r.json())).data.attributes;
    await eventually(async () => ((await row()).retry_count >= 1 && (await row()).status === 'queued') || undefined, 'the first (failed) attempt');

    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click();
    await heading(page, 'Queue').waitFor();
    const item = page.getByRole('listitem', { name: 'message to unreachable.test from carol@example.test' });
    await item.getByText('queued', { exact: true }).waitFor();
    await item.getByText(/dave@unreachable\.test: deferred/).waitFor();
    await item.getByText('Last error').waitFor();
    await screenshot(page, '08-queue');
    await item.getByRole('button', { name: /^Cancel/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel delivery to unreachable.test?' });
    await dialog.getByRole('button', { name: 'Cancel delivery' }).click();
    await page.getByRole('status').filter({ hasText: 'Delivery to unreachable.test cancelled.' }).waitFor();
    await item.getByText('cancelled', { exact: true }).waitFor();
    assert.equal((await row()).status, 'cancelled');
    await screenshot(page, '09-queue-cancelled');

    // The owner sees their own row, without the admin pages.
    await owner.page.goto('/queue');
    await owner.page.getByRole('listitem', { name: 'message to unreachable.test from carol@example.test' }).waitFor();
  });

  test('a bounced message shows the delivery status notification that went back to the sender', async () => {
    const token = await signIn(heron.ports.api, 'carol@example.test', 'carol-new-password');
    const sent = await post(heron.ports.api, '/v1/account/carol@example.test/submit', token, { to: 'erin@nullmx.test', subject: 'Bounce me', text: 'No one home.' });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const queueId = (sent.body as { queueId: string }).queueId;
    const row = async () => (await fetchWithDeadline(`http://127.0.0.1:${heron.ports.api}/api/outbox/${queueId}`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json())).data.attributes;
    await eventually(async () => (await row()).dsn_sent === true || undefined, 'the bounce');
    const { page } = owner;
    await page.goto('/queue?status=failed');
    const item = page.getByRole('listitem', { name: 'message to nullmx.test from carol@example.test' });
    await item.getByText('failed', { exact: true }).first().waitFor();
    await item.getByRole('button', { name: 'Show the notice sent back' }).click();
    await item.getByText('Undelivered Mail Returned to Sender').waitFor();
    await item.getByText(/<erin@nullmx\.test>: domain nullmx\.test accepts no mail \(null MX\)/).waitFor();
    await screenshot(page, '09b-queue-dsn');
  });

  test('certificates are listed with issuer and expiry, and a self-signed one can be generated', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' }).click();
    await heading(page, 'Certificates').waitFor();
    const table = page.getByRole('table', { name: 'Certificates' });
    await table.getByRole('row').filter({ hasText: 'heron.test' }).filter({ hasText: 'self-signed' }).waitFor();
    await page.locator('#self-hostname').fill('mail.example.test');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByRole('status').filter({ hasText: 'Generated a self-signed certificate for mail.example.test.' }).waitFor();
    await table.getByRole('row').filter({ hasText: 'mail.example.test' }).getByText(/days\)/).waitFor();
    await screenshot(page, '10-certificates');
  });

  test('the overview counts what happened; the checklist follows the account and the zone', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await heading(page, 'Overview').waitFor();
    const queue = page.getByRole('region', { name: 'Outbound queue' });
    assert.equal(await queue.locator('dd').nth(5).textContent(), '1', 'one cancelled row');
    await page.getByRole('table', { name: 'Authentication failures' }).getByRole('cell', { name: 'imap' }).first().waitFor();
    await page.getByRole('table', { name: 'Outbound deliveries' }).getByRole('cell', { name: 'unreachable.test' }).first().waitFor();
    // carol exists, but no zone is fully published yet: the checklist stays, with the account item done.
    const checklist = page.getByRole('region', { name: 'Getting started' });
    await checklist.getByText(/example\.test: 1 of \d+ records published/).waitFor();
    assert.match((await checklist.textContent()) ?? '', /✓ Done\s*Create a mail account/);
    await screenshot(page, '11-overview');
  });

  test('at 360 px wide no page scrolls sideways', async () => {
    const narrow = await openTab(browser, `http://127.0.0.1:${heron.ports.api}`, { width: 360, height: 740 });
    tabs.push(narrow);
    const { page } = narrow;
    await signInWithForm(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await heading(page, 'Overview').waitFor();
    const pages: Array<[string, string]> = [
      ['/overview', 'Overview'],
      ['/domains', 'Domains'],
      ['/domains/example.test', 'example.test'],
      ['/accounts', 'Accounts'],
      ['/queue', 'Queue'],
      ['/certificates', 'Certificates'],
      ['/tokens', 'API tokens'],
      ['/me', 'My account'],
    ];
    for (const [path, title] of pages) {
      await page.goto(path);
      await heading(page, title).waitFor();
      await page.locator('.busy').first().waitFor({ state: 'detached' });
      await screenshot(page, `12-narrow${path.replace(/[/.]/g, '-')}`);
      assert.equal(await overflowsSideways(page), false, `${path} scrolls sideways at 360 px`);
    }
  });

  test('no script error and no Content-Security-Policy violation in any tab', () => {
    assert.deepEqual(
      tabs.flatMap((t) => t.problems),
      [],
    );
  });
});
