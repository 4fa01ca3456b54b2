// Preloaded into a benchmarked server (node --expose-gc --import this): on
// SIGWINCH it collects garbage and prints one JSON line with its memory, so a
// memory benchmark compares live memory rather than garbage not yet collected.
const collect = (globalThis as { gc?: () => void }).gc;
process.on('SIGWINCH', () => {
  collect?.();
  collect?.();
  const m = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ benchMemory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external } })}\n`);
});
