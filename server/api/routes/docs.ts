// GET /docs: the browsable API reference — Swagger UI (swagger-ui-dist, served
// from node_modules as shipped) reading GET /openapi.json. A fixed list of
// files, a start script of our own instead of the package's inline one, so the
// CSP keeps script-src 'self'.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Router from '@koa/router';
import { CONTENT_SECURITY_POLICY } from '../console/static.ts';

const require = createRequire(import.meta.url);
const SWAGGER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_VERSION = (JSON.parse(fs.readFileSync(path.join(SWAGGER_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/** The package's files the page loads, by URL name. */
const FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Heron API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css?v=${SWAGGER_VERSION}">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js?v=${SWAGGER_VERSION}"></script>
<script src="/docs/swagger-ui-standalone-preset.js?v=${SWAGGER_VERSION}"></script>
<script src="/docs/start.js?v=${SWAGGER_VERSION}"></script>
</body>
</html>
`;

const START = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    validatorUrl: null,
  });
});
`;

// Swagger UI sets style attributes in its markup; scripts stay 'self' only.
const DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

export function docsRoutes(router: Router): void {
  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', DOCS_POLICY);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
  });
  router.get('/docs/start.js', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = START;
  });
  router.get('/docs/:file', (ctx) => {
    const type = Object.hasOwn(FILES, ctx.params.file) ? FILES[ctx.params.file] : undefined;
    if (!type) return; // 404 from Koa
    // Versioned URLs: the package's files change only with the package.
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.type = type;
    ctx.body = fs.createReadStream(path.join(SWAGGER_DIR, ctx.params.file));
  });
}
