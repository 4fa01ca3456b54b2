// Heron for the benchmarks: the tests' own-process helper (server/main.ts on
// ephemeral loopback ports), stopped by the benchmark's cleanup too, so that
// Ctrl-C never leaves a server behind.
import { type HeronProcess, startHeronProcess } from '../../tests/helpers/heron-process.ts';
import { onCleanup } from './cleanup.ts';

export interface BenchHeron {
  process: HeronProcess;
  pid: number;
  ports: HeronProcess['ports'];
  /** A clean shutdown (SIGTERM; SIGKILL if it takes longer than Heron's own 15 s limit and then some). */
  stop(): Promise<void>;
}

export async function startBenchHeron(dataDir: string, options: { env?: Record<string, string>; openFiles?: number; cpuProfileDir?: string } = {}): Promise<BenchHeron> {
  const heron = await startHeronProcess(dataDir, {
    env: options.env,
    openFiles: options.openFiles,
    nodeArgs: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
  });
  const stop = onCleanup(`heron (pid ${heron.pid})`, () => heron.stop());
  return { process: heron, pid: heron.pid, ports: heron.ports, stop };
}
