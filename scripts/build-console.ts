// Builds the web console (console/ → console/dist) with Vite when its sources
// changed since the last build; `npm install`, `npm start` and the console
// tests run it, so nobody needs an extra step. The stamp in dist is a hash of
// the sources and of the versions of the packages that shape the output.
//
//   npm run build:console            build when stale
//   npm run build:console -- --force build anyway
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE = path.join(ROOT, 'console');
const DIST = path.join(CONSOLE, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const TOOLS = ['vite', 'preact', 'preact-iso'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== DIST && entry.name !== 'node_modules') out.push(...sourceFiles(full));
    } else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** Hash of every console source file and of the build tools' versions. */
export function consoleSourceHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of sourceFiles(CONSOLE)) hash.update(path.relative(CONSOLE, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  for (const tool of TOOLS) {
    const manifest = path.join(ROOT, 'node_modules', tool, 'package.json');
    hash.update(`${tool}@${fs.existsSync(manifest) ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version : 'missing'}\0`);
  }
  return hash.digest('hex');
}

export function consoleIsFresh(): boolean {
  return fs.existsSync(path.join(DIST, 'index.html')) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === consoleSourceHash();
}

/** Builds console/dist unless it is up to date; returns whether it built. */
export async function ensureConsoleBuilt(options: { force?: boolean } = {}): Promise<boolean> {
  if (!options.force && consoleIsFresh()) return false;
  const { build } = await import('vite');
  await build({ configFile: path.join(CONSOLE, 'vite.config.ts'), logLevel: 'warn' });
  fs.writeFileSync(STAMP, consoleSourceHash());
  return true;
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  if (!fs.existsSync(path.join(ROOT, 'node_modules', 'vite'))) {
    // A production install (--omit=dev) has no bundler: keep whatever dist there is, and say so.
    console.warn(`heron: vite is not installed, the web console is ${consoleIsFresh() ? 'built' : 'NOT built (npm install without --omit=dev, then npm run build:console)'}`);
    return;
  }
  const built = await ensureConsoleBuilt({ force });
  console.log(built ? `heron: web console built in ${path.relative(ROOT, DIST)}` : 'heron: web console is up to date');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error('heron: building the web console failed:', err);
    process.exit(1);
  });
}
