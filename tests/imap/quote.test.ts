// IMAP string syntax on the wire (RFC 3501 §4.3, §9).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { astring, literal, nstring, string } from '../../imapd/render/quote.ts';

describe('IMAP strings', () => {
  test('quoted when possible, escaped, NIL for null', () => {
    assert.equal(nstring(null), 'NIL');
    assert.equal(string('plain'), '"plain"');
    assert.equal(string('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
    assert.equal(astring('INBOX'), 'INBOX');
    assert.equal(astring('NIL'), '"NIL"');
    assert.equal(astring('two words'), '"two words"');
  });

  test('literals for CR/LF and 8-bit, counted in bytes', () => {
    assert.equal(string('a\r\nb'), '{4}\r\na\r\nb');
    const out = string('café');
    assert.equal(out, `{5}\r\n${Buffer.from('café', 'utf8').toString('latin1')}`);
  });

  test('NUL never reaches the wire: it is sent as 0x80', () => {
    const out = literal(Buffer.from([0x61, 0x00, 0x62]));
    assert.equal(out, '{3}\r\na\x80b');
    assert.ok(!out.includes('\0'));
  });
});
