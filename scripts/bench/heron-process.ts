// Heron as its own process for the benchmarks: `server/main.ts` in a child
// with a temporary data folder and ephemeral loopback ports, read back from
// the startup banner. stop() (or the benchmark's cleanup, on Ctrl-C too) ends
// the child and removes the data folder it created.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, tempDir, testEnv } from '../../tests/helpers/heron.ts';
import { onCleanup } from './cleanup.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HeronProcess {
  pid: number;
  dataDir: string;
  ports: { smtp: number; submissions: number; imaps: number; api: number };
  stop(): Promise<void>;
}

export interface HeronProcessOptions {
  /** An existing data folder (kept on stop); default a new temp folder (removed on stop). */
  dataDir?: string;
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the server into this folder (on a clean exit). */
  cpuProfileDir?: string;
}

export async function startHeronProcess(options: HeronProcessOptions = {}): Promise<HeronProcess> {
  const dataDir = options.dataDir ?? tempDir('heron-bench-');
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...testEnv(dataDir, { HERON_LOG_LEVEL: 'warn', ...options.env }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = onCleanup(`heron (pid ${child.pid})`, async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    // Heron forces its own exit 15 s after SIGTERM; this is the backstop if even that hangs.
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(kill);
    if (!options.dataDir) removeDir(dataDir);
  });
  let banner = '';
  const port = (re: RegExp) => Number(re.exec(banner)?.[1] ?? 0);
  const ports = await new Promise<HeronProcess['ports']>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    const onData = (d: string) => {
      banner += d;
      const found = {
        smtp: port(/^\s*smtp\s+smtp:\/\/\S+:(\d+)/m),
        submissions: port(/^\s*submissions\s+smtp:\/\/\S+:(\d+)/m),
        imaps: port(/^\s*imaps\s+\S+:(\d+)/m),
        api: port(/^\s*admin API\s+http:\/\/\S+:(\d+)/m),
      };
      if (Object.values(found).every((p) => p > 0)) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(found);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`heron exited with ${code} before it listened:\n${banner}`)));
  });
  return { pid: child.pid!, dataDir, ports, stop };
}
