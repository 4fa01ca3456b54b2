// A fuzz target is a fast-check property over one input layer. The same
// targets run twice: briefly inside `npm test` (tests/fuzz/*.test.ts, a few
// seconds each) and with large budgets from `npm run fuzz` (scripts/fuzz.ts).
import fc from 'fast-check';

/** A property, sync or async (fast-check's own shape; its methods are bivariant in the inputs). */
export type AnyProperty = fc.IRawProperty<unknown[], boolean>;

export interface FuzzTarget {
  name: string;
  /** What the property claims, for the figures `npm run fuzz` prints. */
  claim: string;
  /** Builds the property; `close` releases what it opened (a store, say). */
  open(): Promise<{ property: AnyProperty; close?(): Promise<void> }> | { property: AnyProperty; close?(): Promise<void> };
}

export interface FuzzResult {
  name: string;
  runs: number;
  ms: number;
  failed: boolean;
  interrupted: boolean;
  seed: number;
  /** fast-check's report: the shrunk counterexample, seed and path to replay it. */
  report: string;
}

export async function runTarget(target: FuzzTarget, params: fc.Parameters<unknown[]>): Promise<FuzzResult> {
  const { property, close } = await target.open();
  const started = performance.now();
  try {
    // An async run that never settles is a failure, not a hang.
    const details = await fc.check(property, { timeout: 10_000, ...params });
    return {
      name: target.name,
      runs: details.numRuns,
      ms: performance.now() - started,
      failed: details.failed,
      interrupted: details.interrupted,
      seed: details.seed,
      report: details.failed ? `${fc.defaultReportMessage(details) ?? 'failed'}\nError: ${describe(details.errorInstance)}` : '',
    };
  } finally {
    await close?.();
  }
}

/** The budget inside `npm test`: about `seconds` per target (fewer runs on a busy machine, never a failure for it). */
export function testBudget(seconds = Number(process.env.FUZZ_TEST_SECONDS) || 3): fc.Parameters<unknown[]> {
  return { numRuns: 10_000_000, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false };
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
