// GET /docs: Swagger UI from swagger-ui-dist over GET /openapi.json, checked
// over HTTP (files, types, caching, CSP) and in Chromium (the operations render,
// including the /v1 ones, with no script error or CSP violation).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openTab, screenshot } from '../console/browser.ts';
import { api, type Api, type TestHeron, useHeron } from './client.ts';

describe('API reference at /docs', () => {
  let heron: TestHeron;
  let a: Api;
  let browser: Browser;

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
  });
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test('the page loads only its own scripts; the package files are served with types and caching; nothing else is', async () => {
    const page = await a.request('GET', '/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/, csp);
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(scripts.length, 3);
    for (const src of scripts) {
      const file = await a.request('GET', src);
      assert.equal(file.status, 200, src);
      assert.match(file.headers.get('content-type') ?? '', /javascript/);
      assert.ok(file.text.length > 0);
    }
    const css = await a.request('GET', '/docs/swagger-ui.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
    assert.match(css.headers.get('cache-control') ?? '', /max-age=\d+/);
    for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/index.html']) {
      assert.equal((await a.request('GET', path)).status, 404, path);
    }
  });

  test('Chromium renders the operations from /openapi.json', async () => {
    const tab = await openTab(browser, `http://127.0.0.1:${heron.ports.api}`);
    try {
      await tab.page.goto('/docs');
      await tab.page.getByText('/v1/account/{account}/messages', { exact: true }).first().waitFor();
      await tab.page.getByText('/action/user_account/signin', { exact: true }).first().waitFor();
      const operations = await tab.page.locator('.opblock').count();
      assert.ok(operations > 50, `${operations} operations shown`);
      await screenshot(tab.page, 'api-docs');
      assert.deepEqual(tab.problems, []);
    } finally {
      await tab.context.close();
    }
  });
});
