// The body grammar of RFC 3501 §9 (body-type-1part, body-type-mpart and their
// extension data), checked on a parsed BODY or BODYSTRUCTURE.
import assert from 'node:assert/strict';
import type { ImapValue } from './imap-tokens.ts';

/** Checks the body grammar of RFC 3501 §9 on a parsed BODY/BODYSTRUCTURE. */
export function checkBody(v: ImapValue, extended: boolean, depth = 0): void {
  assert.ok(Array.isArray(v) && v.length > 0, 'body is a list');
  if (Array.isArray(v[0])) {
    let i = 0;
    while (Array.isArray(v[i])) checkBody(v[i++], extended, depth + 1);
    assert.equal(typeof v[i], 'string', 'multipart subtype');
    assert.equal(v.length, extended ? i + 5 : i + 1, 'multipart fields');
    return;
  }
  assert.equal(typeof v[0], 'string');
  assert.equal(typeof v[1], 'string');
  assert.ok(v[2] === null || (Array.isArray(v[2]) && v[2].length % 2 === 0 && v[2].length > 0), 'params');
  assert.equal(typeof v[5], 'string', 'encoding');
  assert.match((v[6] as { atom: string }).atom, /^\d+$/, 'size');
  let n = 7;
  const type = String(v[0]).toLowerCase();
  if (type === 'message' && String(v[1]).toLowerCase() === 'rfc822') {
    assert.ok(Array.isArray(v[7]) && v[7].length === 10, 'envelope');
    checkBody(v[8], extended, depth + 1);
    n = 10;
  } else if (type === 'text') {
    n = 8;
  }
  if (n > 7) assert.match((v[n - 1] as { atom: string }).atom, /^\d+$/, 'lines');
  assert.equal(v.length, extended ? n + 4 : n, 'single part fields');
}
