// Heron as its own process (`server/main.ts`), for tests and benchmarks that
// measure the server's memory apart from the client's: ephemeral loopback
// ports read from its "heron started" log line, RSS read from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Heron } from '../../server/heron.ts';
import { ensureTestDatabase } from './database.ts';
import { testEnv } from './heron.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ChildHeron {
  pid: number;
  ports: Heron['ports'];
  /** Everything the process printed so far (JSON log lines). */
  output(): string;
  /** Resident memory in MB (VmRSS). */
  rssMb(): number;
  /** Whether the process is still running. */
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startChildHeron(dataDir: string, env: Record<string, string> = {}, startMs = 60_000): Promise<ChildHeron> {
  await ensureTestDatabase(dataDir);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    env: { ...process.env, ...testEnv(dataDir, { HERON_LOG_LEVEL: 'info', ...env }) },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ports = await new Promise<Heron['ports']>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`Heron did not start within ${startMs} ms:\n${out}`)), startMs);
    const check = () => {
      const line = out.split('\n').find((l) => l.includes('"heron started"'));
      if (line) done(null, (JSON.parse(line) as { ports: Heron['ports'] }).ports);
    };
    const onExit = (code: number | null) => done(new Error(`Heron exited with ${code} before starting:\n${out}`));
    function done(err: Error | null, value?: Heron['ports']) {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', onExit);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve(value!);
    }
    child.stdout!.on('data', check);
    child.once('exit', onExit);
  });
  return {
    pid: child.pid!,
    ports,
    output: () => out,
    rssMb: () => {
      const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (!rss) throw new Error(`Heron has exited; its last output:\n${out.slice(-3000)}`);
      return Number(rss[1]) / 1024;
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
  };
}

/** Samples the process's RSS every 50 ms from now; stop() returns the peak (sampling ends if it exits). */
export function sampleRss(heron: ChildHeron): { baseline: number; stop(): number } {
  const baseline = heron.rssMb();
  let peak = baseline;
  const sample = () => {
    if (heron.alive()) peak = Math.max(peak, heron.rssMb());
  };
  const timer = setInterval(() => {
    try {
      sample();
    } catch {
      clearInterval(timer); // exited between the check and the read; the test reports it
    }
  }, 50);
  return {
    baseline,
    stop() {
      clearInterval(timer);
      if (heron.alive()) sample();
      return peak;
    },
  };
}
