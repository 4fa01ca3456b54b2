// SELECT (RFC 3501 §6.3.1): mailbox arguments made of any ATOM-CHAR ("[" is
// one, RFC 3501 §9) and names that are not modified UTF-7 get NO, not BAD.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, message, useImap } from './fixture.ts';

const imap = useImap();
const ATOM_CHARS = "!#$&'+,-.0123456789:;<=>?@^_`|[}";

describe('SELECT', () => {
  test('an atom of every ATOM-CHAR parses and answers NO: no such mailbox', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    // More than the 20 bad commands that end a session: none of these is one.
    for (let i = 0; i < 25; i++) {
      assert.match(await c.command(`s${i}`, `SELECT ${ATOM_CHARS}`), new RegExp(`^s${i} NO \\[NONEXISTENT\\] No such mailbox\\r\\n$`));
    }
    assert.match(await c.command('e', `EXAMINE ${ATOM_CHARS}`), /^e NO \[NONEXISTENT\]/);
    assert.match(await c.command('st', `STATUS ${ATOM_CHARS} (MESSAGES)`), /^st NO \[NONEXISTENT\]/);
    assert.match(await c.command('q', `SELECT "${ATOM_CHARS}"`), /^q NO \[NONEXISTENT\]/);
    assert.match(await c.command('n', 'NOOP'), /^n OK/);
  });

  test('names with "[" select like any other; BODY[ sections still parse', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('c1', 'CREATE a[b'), /^c1 OK/);
    await imap().deliver(id, 'a[b', message('bracketed'));
    assert.match(await c.command('c2', 'CREATE [Gmail]/Sent'), /^c2 OK/);
    assert.match(await c.command('s2', 'SELECT [Gmail]/Sent'), /s2 OK \[READ-WRITE\]/);
    assert.match(await c.command('s1', 'SELECT a[b'), /\* 1 EXISTS\r\n.*s1 OK \[READ-WRITE\]/s);
    // The section of BODY[...] keeps its spaces and parentheses; an open one is still an error.
    assert.match(await c.command('f1', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (From To)])'), /^\* 1 FETCH \(BODY\[HEADER\.FIELDS \(FROM TO\)\] \{\d+\}\r\nFrom: Alice/);
    assert.match(await c.command('f2', 'FETCH 1 BODY[TEXT'), /^f2 BAD missing \]/);
  });
});
