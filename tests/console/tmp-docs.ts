export {};
import { startTestHeron, removeDir, ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { launchChromium, openTab } from './browser.ts';
const h = await startTestHeron({ env: { HERON_HOSTNAME: 'mail.example.com', HERON_ADMIN_EMAIL: 'admin@example.com', HERON_DNS: '127.0.0.1:9' } });
const base = `http://127.0.0.1:${h.ports.api}`;
const browser = await launchChromium();
try {
  const { page } = await openTab(browser, base, { width: 1100, height: 760 });
  await page.goto('/');
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await page.getByText(/records published/).waitFor({ timeout: 30000 });
  await page.screenshot({ path: 'docs/console-overview.png' });
  await page.goto('/domains/mail.example.com');
  await page.getByRole('button', { name: 'Check DNS now' }).click();
  await page.getByRole('status').filter({ hasText: /^Checked:/ }).waitFor({ timeout: 30000 });
  await page.getByRole('heading', { name: 'DNS records to publish' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/console-domain.png' });
} finally {
  await browser.close();
  await h.stop(); removeDir(h.dataDir);
}
