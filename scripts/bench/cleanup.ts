// Everything a benchmark starts (child servers, temp folders, DNS) registers
// how to undo it here. The undo steps run in reverse order on a normal end, on
// an error, and on Ctrl-C / SIGTERM, so a run never leaves a Postfix, a
// Dovecot, a Heron or a temp folder behind.
type Undo = { what: string; run: () => Promise<void> | void };

const undos: Undo[] = [];
let installed = false;
let running: Promise<void> | null = null;

/** Registers an undo step; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(what: string, run: Undo['run']): () => Promise<void> {
  install();
  const undo: Undo = { what, run };
  undos.push(undo);
  return async () => {
    const i = undos.indexOf(undo);
    if (i < 0) return;
    undos.splice(i, 1);
    await undo.run();
  };
}

/** Runs every registered undo step, newest first; errors are reported, not thrown. */
export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (undos.length) {
      const undo = undos.pop()!;
      try {
        await undo.run();
      } catch (err) {
        console.error(`cleanup: ${undo.what}: ${(err as Error).message}`);
      }
    }
  })();
  return running;
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the servers and removing temp folders…`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  process.once('uncaughtException', (err) => {
    console.error(err);
    void cleanupAll().finally(() => process.exit(1));
  });
  process.once('unhandledRejection', (err) => {
    console.error(err);
    void cleanupAll().finally(() => process.exit(1));
  });
}

/** Runs `main`, then the cleanup, whatever happens; exit code 1 on an error. */
export async function withCleanup(main: () => Promise<void>): Promise<void> {
  install();
  let failed = false;
  try {
    await main();
  } catch (err) {
    failed = true;
    console.error(err);
  } finally {
    if (undos.length) console.error(`stopping what was started and removing temp folders (${undos.length} steps)…`);
    await cleanupAll();
  }
  if (failed) process.exit(1);
}
