// Framing and grammar as pure functions of bytes: lines, literals, tokens,
// sequence sets, FETCH items, SEARCH keys, modified UTF-7.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type FrameEvent, Framer } from '../../imapd/framing/framer.ts';
import { Args, formatDateTime, parseDateTime, parseSequenceSet } from '../../imapd/parser/args.ts';
import { parseCommandLine } from '../../imapd/parser/command-line.ts';
import { parseFetchItems } from '../../imapd/parser/fetch-items.ts';
import { parseSearch } from '../../imapd/parser/search-keys.ts';
import { ParseError, tokenize } from '../../imapd/parser/tokens.ts';
import { decodeMailboxName, encodeMailboxName } from '../../imapd/utf7.ts';

const framer = (limit = 100) => new Framer({ maxLineLength: 200, maxLiterals: 4, literalLimit: (line) => (/APPEND/.test(line) ? 1000 : limit) });
const frames = (events: FrameEvent[]) => events.filter((e) => e.kind === 'frame');
const line = (text: string) => parseCommandLine({ segments: [text], literals: [] });

describe('framer', () => {
  test('splits lines, and joins a literal split across chunks', () => {
    const f = framer();
    assert.deepEqual(
      f.push(Buffer.from('a NOOP\r\nb LOGIN {3}\r\n')).map((e) => e.kind),
      ['frame', 'continue'],
    );
    assert.deepEqual(f.push(Buffer.from('a')), []);
    const out = f.push(Buffer.from('bc "pw"\r\n'));
    assert.equal(out.length, 1);
    assert.ok(out[0].kind === 'frame');
    assert.deepEqual(out[0].frame.segments, ['b LOGIN {3}', ' "pw"']);
    assert.deepEqual(out[0].frame.literals.map(String), ['abc']);
  });

  test('a non-synchronising literal gets no continuation', () => {
    const events = framer().push(Buffer.from('a LOGIN {1+}\r\nx y\r\n'));
    assert.deepEqual(events.map((e) => e.kind), ['frame']);
  });

  test('an oversized synchronising literal is refused, and framing goes on', () => {
    const f = framer();
    const events = f.push(Buffer.from('a LOGIN {101}\r\nb NOOP\r\n'));
    assert.deepEqual(events.map((e) => e.kind), ['refused', 'frame']);
    assert.deepEqual(framer().push(Buffer.from('a APPEND x {500}\r\n')).map((e) => e.kind), ['continue']);
  });

  test('a literal announced at 4 GB, non-synchronising, is fatal; so is a long line', () => {
    assert.equal(framer().push(Buffer.from('a APPEND INBOX {4294967296+}\r\n'))[0].kind, 'fatal');
    assert.equal(framer().push(Buffer.alloc(300, 0x61))[0].kind, 'fatal');
  });

  test('every way of cutting the input gives the same frames', () => {
    const input = Buffer.from('a1 LOGIN {5}\r\nuser1 {2+}\r\npw\r\na2 SELECT "INBOX"\r\n');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: input.length }), { maxLength: 6 }), (cuts) => {
        const f = framer();
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let prev = 0;
        const out: FrameEvent[] = [];
        for (const p of [...points, input.length]) {
          out.push(...f.push(input.subarray(prev, p)));
          prev = p;
        }
        const got = frames(out).map((e) => (e.kind === 'frame' ? [e.frame.segments, e.frame.literals.map(String)] : null));
        assert.deepEqual(got, [
          [['a1 LOGIN {5}', ' {2+}', ''], ['user1', 'pw']],
          [['a2 SELECT "INBOX"'], []],
        ]);
      }),
    );
  });
});

describe('tokens and command line', () => {
  test('tag, UID prefix, quoted strings with escapes, lists, sections', () => {
    const c = line('x1 uid fetch 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100>) "a\\"b"');
    assert.equal(c.tag, 'x1');
    assert.equal(c.name, 'FETCH');
    assert.equal(c.uid, true);
    assert.equal(c.args.length, 3);
    assert.deepEqual(c.args[1], {
      t: 'list',
      v: [
        { t: 'atom', v: 'FLAGS' },
        { t: 'atom', v: 'BODY.PEEK[HEADER.FIELDS (From To)]<0.100>' },
      ],
    });
    assert.equal(c.args[2].t === 'string' && c.args[2].v.toString(), 'a"b');
  });

  test('"[" is an ATOM-CHAR; only BODY and BODY.PEEK open a section (RFC 3501 §9)', () => {
    const atoms = (text: string) => line(text).args.map((t) => (t.t === 'atom' ? t.v : t.t));
    assert.deepEqual(atoms("a SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}"), ["!#$&'+,-.0123456789:;<=>?@^_`|[}"]);
    assert.deepEqual(atoms('a LIST "" a[b c]'), ['string', 'a[b', 'c]']);
    assert.deepEqual(atoms('a LIST [ %'), ['[', '%']);
    assert.deepEqual(atoms('a FETCH 1 XBODY[a b]'), ['1', 'XBODY[a', 'b]']);
    assert.deepEqual(atoms('a FETCH 1 body.peek[header.fields (a b)]<1.2>'), ['1', 'body.peek[header.fields (a b)]<1.2>']);
    assert.deepEqual(atoms('a FETCH 1 (BODY[1.MIME] UID)').length, 2);
    assert.throws(() => line('a FETCH 1 BODY.PEEK[TEXT'), /missing \]/);
  });

  test('a mailbox to look up that is not modified UTF-7 is no syntax error; one to create is', () => {
    const args = (text: string) => new Args(line(text).args);
    assert.equal(args("a SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}").mailboxToFind(), null);
    assert.equal(args('a SELECT &ZeVnLIqe-').mailboxToFind(), '日本語');
    assert.equal(args('a SELECT "A&-B"').mailboxToFind(), 'A&B');
    assert.throws(() => args('a CREATE &bad').mailbox(), ParseError);
    assert.throws(() => args('a SELECT (x)').mailboxToFind(), ParseError);
  });

  test('malformed input is a ParseError, never a crash', () => {
    for (const bad of ['', '+ NOOP', 'a', 'a (', 'a NOOP )', 'a NOOP "x', 'a NOOP "\\x"', 'a FETCH 1 BODY[', 'a NOOP \x01']) {
      assert.throws(() => line(bad), ParseError, bad);
    }
    assert.throws(() => tokenize({ segments: ['('.repeat(10000)], literals: [] }, 0, 0), /nested/);
  });

  test('random bytes never throw anything but ParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          const c = line(Buffer.from(bytes).toString('latin1'));
          parseFetchItems(c.args[0] ?? { t: 'atom', v: 'FLAGS' });
        } catch (err) {
          assert.ok(err instanceof ParseError, String(err));
        }
      }),
    );
  });
});

describe('arguments', () => {
  test('sequence sets', () => {
    assert.deepEqual(parseSequenceSet('1,3:5,*,7:*'), [
      { from: 1, to: 1 },
      { from: 3, to: 5 },
      { from: Infinity, to: Infinity },
      { from: 7, to: Infinity },
    ]);
    for (const bad of ['0', '1:', ':2', 'a', '1,,2', '4294967296', '-1', '']) assert.throws(() => parseSequenceSet(bad), ParseError, bad);
  });

  test('dates round-trip', () => {
    const t = parseDateTime('17-Jul-1996 02:44:25 -0700');
    assert.equal(new Date(t).toISOString(), '1996-07-17T09:44:25.000Z');
    assert.equal(formatDateTime(t), '17-Jul-1996 09:44:25 +0000');
    assert.equal(formatDateTime(Date.UTC(2020, 0, 5)), ' 5-Jan-2020 00:00:00 +0000');
    assert.throws(() => parseDateTime('31-Feb-2020 00:00:00 +0000'), ParseError);
  });

  test('FETCH items: macros, sections, partials, RFC822 forms', () => {
    const items = parseFetchItems({ t: 'atom', v: 'ALL' }).map((i) => i.kind);
    assert.deepEqual(items, ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE']);
    const tokens = line('a FETCH 1 (BODY[] BODY.PEEK[1.2.MIME] BODY[HEADER.FIELDS.NOT (x-a "b")]<5.10> RFC822.HEADER)').args[1];
    const parsed = parseFetchItems(tokens);
    assert.deepEqual(
      parsed.map((i) => (i.kind === 'section' ? [i.responseName, i.setsSeen, i.spec, i.partial] : i.kind)),
      [
        ['BODY[]', true, null, null],
        ['BODY[1.2.MIME]', false, { path: [1, 2], text: 'MIME', fields: undefined }, null],
        ['BODY[HEADER.FIELDS.NOT (X-A B)]<5>', true, { path: [], text: 'HEADER.FIELDS.NOT', fields: ['x-a', 'b'] }, { start: 5, length: 10 }],
        ['RFC822.HEADER', false, { path: [], text: 'HEADER' }, null],
      ],
    );
    for (const bad of ['BODY[MIME]', 'BODY[0]', 'BODY[HEADER.FIELDS]', 'BODY[1HEADER]', 'BODY[]<1.0>', 'FOO']) {
      assert.throws(() => parseFetchItems({ t: 'atom', v: bad }), ParseError, bad);
    }
  });

  test('SEARCH keys: OR, NOT, lists, CHARSET, implicit AND', () => {
    const s = parseSearch(new Args(line('a SEARCH CHARSET UTF-8 OR (FROM x SEEN) NOT 1:3 UID 5:* HEADER X-Y "zzz"').args));
    assert.equal(s.charset, 'UTF-8');
    assert.equal(s.key.k, 'and');
    assert.deepEqual(
      s.key.k === 'and' && s.key.keys.map((k) => k.k),
      ['or', 'uid', 'header'],
    );
    // OR takes the next two keys: the list and NOT 1:3.
    assert.ok(s.key.k === 'and' && s.key.keys[0].k === 'or' && s.key.keys[0].a.k === 'and' && s.key.keys[0].b.k === 'not');
    assert.throws(() => parseSearch(new Args(line('a SEARCH FOO').args)), ParseError);
    assert.throws(() => parseSearch(new Args(line('a SEARCH OR SEEN').args)), ParseError);
    assert.throws(() => parseSearch(new Args(line('a SEARCH ' + 'NOT '.repeat(100) + 'SEEN').args)), ParseError);
  });
});

describe('modified UTF-7', () => {
  test('RFC 3501 §5.1.3 examples', () => {
    assert.equal(encodeMailboxName('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    assert.equal(decodeMailboxName('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
    assert.equal(encodeMailboxName('A&B'), 'A&-B');
    assert.equal(decodeMailboxName('A&-B'), 'A&B');
  });
  test('round-trips any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => assert.equal(decodeMailboxName(encodeMailboxName(s)), s)));
  });
  test('rejects malformed sequences', () => {
    assert.throws(() => decodeMailboxName('&U,BTFw'));
    assert.throws(() => decodeMailboxName('&U=-'));
  });
});
