// The web console's files (console/dist, built by scripts/build-console.ts) on
// the API listener: /assets/* are content-hashed and cached for a year,
// index.html is revalidated on every load and is served at / and at any path a
// browser navigates to (Accept prefers HTML) that is not one of the API's own
// prefixes, so the console's pages can be reloaded and bookmarked while
// unknown API paths keep their JSON 404. Only files found in the build folder
// are served (a fixed list; a request path never becomes a file path).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';

export const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../console/dist');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

// 'self' only: the build has no inline script or style (tests check the CSP holds in Chromium).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer of the API listener (JSON included: nosniff and no framing cost nothing). */
export function securityHeaders() {
  return async (ctx: Context, next: Next) => {
    ctx.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    await next();
  };
}

interface ConsoleFile {
  file: string;
  size: number;
  mtime: Date;
  cache: string;
}

/** The build's files by URL path, re-read when index.html changes (a rebuild while running). */
class ConsoleFiles {
  private files = new Map<string, ConsoleFile>();
  private builtAt = -1;

  constructor(private readonly dir: string) {}

  private scan(): void {
    const files = new Map<string, ConsoleFile>();
    const walk = (dir: string, prefix: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith('.')) continue;
        const full = path.join(dir, entry.name);
        const url = `${prefix}/${entry.name}`;
        if (entry.isDirectory()) walk(full, url);
        else if (entry.isFile()) {
          const stat = fs.statSync(full);
          files.set(url, { file: full, size: stat.size, mtime: stat.mtime, cache: url.startsWith('/assets/') ? IMMUTABLE : REVALIDATE });
        }
      }
    };
    walk(this.dir, '');
    this.files = files;
  }

  get(urlPath: string): ConsoleFile | undefined {
    let builtAt: number;
    try {
      builtAt = fs.statSync(path.join(this.dir, 'index.html')).mtimeMs;
    } catch {
      this.files.clear();
      this.builtAt = -1;
      return undefined;
    }
    if (builtAt !== this.builtAt) {
      this.scan();
      this.builtAt = builtAt;
    }
    return this.files.get(urlPath);
  }
}

function send(ctx: Context, entry: ConsoleFile): void {
  ctx.set('Cache-Control', entry.cache);
  ctx.lastModified = entry.mtime;
  ctx.etag = `"${entry.size.toString(16)}-${entry.mtime.getTime().toString(16)}"`;
  ctx.type = path.extname(entry.file);
  ctx.status = 200; // ctx.fresh compares validators only on a 2xx
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.length = entry.size;
  ctx.body = fs.createReadStream(entry.file);
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Heron</title></head><body>
<h1>The web console is not built</h1><p>Run <code>npm run build:console</code> (npm install and npm start do it), then reload.
The API works without it.</p></body></html>`;

/**
 * Serves the console. `reserved` holds the first path segments of the API's
 * routes (api, action, v1, …): those never get index.html.
 */
export function consoleFiles(options: { dir?: string; reserved: ReadonlySet<string> }) {
  const files = new ConsoleFiles(options.dir ?? CONSOLE_DIST);
  const isPage = (ctx: Context): boolean => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
    if (ctx.path === '/' || ctx.path === '/index.html') return true;
    const first = ctx.path.split('/')[1] ?? '';
    if (options.reserved.has(first) || first === 'assets' || first.includes('.')) return false;
    // A browser navigating asks for HTML first; fetch() and curl send */* or JSON.
    return ctx.accepts('json', 'html') === 'html';
  };

  return async (ctx: Context, next: Next) => {
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.path !== '/index.html') {
      const asset = files.get(ctx.path);
      if (asset && ctx.path !== '/') return send(ctx, asset);
    }
    if (!isPage(ctx)) return next();
    const index = files.get('/index.html');
    if (index) return send(ctx, index);
    ctx.status = 503;
    ctx.type = 'html';
    ctx.set('Cache-Control', REVALIDATE);
    ctx.body = NOT_BUILT;
  };
}
