// Heron's ENVELOPE, BODY, BODYSTRUCTURE and BODY[section] output on a hostile
// corpus compared with Dovecot 2.3's (see golden.ts). Values are compared
// after parsing, so a quoted string and a literal with the same bytes are equal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { indexMessage } from '../../schema/index.ts';
import { assertMatchesGolden, goldenNames, loadGolden } from './golden.ts';

describe('golden corpus against Dovecot', () => {
  const names = goldenNames();
  test('the corpus is there', () => {
    assert.ok(names.length >= 25, `${names.length} messages`);
  });
  for (const name of names) {
    test(name, () => {
      const golden = loadGolden(name);
      const m = indexMessage(golden.raw);
      // The store keeps the tree and envelope as JSON.
      const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
      assertMatchesGolden(golden, golden.raw, roundTrip(m.envelope), roundTrip(m.root));
    });
  }
});
