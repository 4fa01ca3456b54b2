// RecentUids (imapd/recent-uids.ts), the runs of UIDs a session shows as
// \Recent (RFC 3501 §2.3.2), against a plain set of UIDs: after any sequence of
// a SELECT's claim, new messages (claimed here or elsewhere) and expunges, it
// answers has() and size as the set does for every UID of the session's list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RecentUids } from '../../imapd/recent-uids.ts';

type Step = { kind: 'arrive'; gap: number; recent: boolean } | { kind: 'expunge'; picks: number[] };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('arrive' as const), gap: fc.integer({ min: 1, max: 3 }), recent: fc.boolean() }),
  fc.record({ kind: fc.constant('expunge' as const), picks: fc.array(fc.nat(), { maxLength: 5 }) }),
);

describe('RecentUids', () => {
  test('agrees with a set of UIDs through claims, arrivals and expunges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.array(step, { maxLength: 60 }), (before, claimed, steps) => {
        // SELECT: `before` messages not recent, then `claimed` recent ones (UIDs with gaps of 2).
        let list = Array.from({ length: before + claimed }, (_, i) => 2 * i + 1);
        const model = new Set(list.slice(before));
        const recent = new RecentUids();
        if (claimed > 0) recent.addRun(list[before], list[list.length - 1], claimed);
        for (const s of steps) {
          if (s.kind === 'arrive') {
            const uid = (list.at(-1) ?? 0) + s.gap;
            if (s.recent) {
              recent.add(uid, list.at(-1) ?? 0);
              model.add(uid);
            }
            list.push(uid);
          } else if (list.length > 0) {
            const gone = new Set(s.picks.map((p) => list[p % list.length]));
            list = list.filter((uid) => !gone.has(uid));
            for (const uid of gone) model.delete(uid);
            recent.retain(list);
          }
          assert.equal(recent.size, model.size);
          for (const uid of list) assert.equal(recent.has(uid), model.has(uid), `UID ${uid}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
