// Registers fuzz targets as tests with the short budget of `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FuzzTarget, runTarget, testBudget } from './target.ts';

export function fuzzTests(targets: FuzzTarget[]): void {
  for (const target of targets) {
    test(`${target.name}: ${target.claim}`, async (t) => {
      const result = await runTarget(target, testBudget());
      t.diagnostic(`${result.runs} inputs in ${(result.ms / 1000).toFixed(1)} s (seed ${result.seed})`);
      assert.ok(!result.failed, result.report);
      assert.ok(result.runs > 0, 'at least one input ran');
    });
  }
}
