// Fuzz targets for IMAP input: the framer (bytes → frames) and the parser
// (frames → commands with typed arguments).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { commandFor } from '../../imapd/commands/index.ts';
import { type FrameEvent, Framer, type FramerOptions } from '../../imapd/framing/framer.ts';
import { Args } from '../../imapd/parser/args.ts';
import { parseCommandLine } from '../../imapd/parser/command-line.ts';
import { ParseError, type Token } from '../../imapd/parser/tokens.ts';
import type { FuzzTarget } from './target.ts';

// ------------------------------------------------------------------ inputs

const COMMANDS = [
  'NOOP', 'CAPABILITY', 'LOGOUT', 'LOGIN', 'AUTHENTICATE', 'STARTTLS', 'SELECT', 'EXAMINE', 'CREATE', 'DELETE', 'RENAME', 'SUBSCRIBE',
  'UNSUBSCRIBE', 'LIST', 'LSUB', 'STATUS', 'APPEND', 'CHECK', 'CLOSE', 'UNSELECT', 'EXPUNGE', 'SEARCH', 'FETCH', 'STORE', 'COPY', 'MOVE',
  'IDLE', 'ENABLE', 'ID', 'NAMESPACE', 'UID FETCH', 'UID SEARCH', 'UID STORE', 'UID COPY', 'UID MOVE', 'UID EXPUNGE', 'UID NOOP', 'XYZZY',
];

/** Atoms a command may take: sequence sets, FETCH items, SEARCH keys, flags, mailbox names, dates, keywords of the extensions. */
const ATOMS = [
  '1', '1:*', '*', '2,4:7,9', '0', '4294967295', '4294967296', '1:', ':', '$', '1,,2', '*:*', '18446744073709551616',
  'FLAGS', 'UID', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'RFC822', 'RFC822.SIZE', 'RFC822.HEADER', 'RFC822.TEXT', 'INTERNALDATE', 'MODSEQ',
  'ALL', 'FAST', 'FULL', 'BODY[]', 'BODY.PEEK[]', 'BODY[TEXT]', 'BODY[HEADER]', 'BODY[1]', 'BODY[1.2.3]', 'BODY[1.MIME]', 'BODY[MIME]',
  'BODY[0]', 'BODY[1HEADER]', 'BODY[2.TEXT]<0.10>', 'BODY[]<5.0>', 'BODY[]<0.4294967296>', 'BODY[HEADER.FIELDS (From To)]',
  'BODY.PEEK[HEADER.FIELDS.NOT (Subject)]<1.2>', 'BODY[HEADER.FIELDS ()]', 'BODY[HEADER.FIELDS', 'BODY[[]]', 'BODY]', 'BODY[1.999999999]',
  'OR', 'NOT', 'FROM', 'TO', 'CC', 'BCC', 'SUBJECT', 'BODY', 'TEXT', 'HEADER', 'KEYWORD', 'UNKEYWORD', 'LARGER', 'SMALLER', 'SINCE',
  'BEFORE', 'ON', 'SENTON', 'SENTSINCE', 'SENTBEFORE', 'NEW', 'OLD', 'RECENT', 'SEEN', 'UNSEEN', 'DELETED', 'CHARSET', 'UTF-8',
  'US-ASCII', 'KOI8-R', '1-Feb-1994', '31-Feb-2024', '1-Xyz-2000', '99-Jan-2000', '29-Feb-2024', '1-Jan-0000',
  '\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Recent', '\\Foo', '\\*', '$Label1', '$Junk', '+FLAGS', '-FLAGS',
  'FLAGS.SILENT', '+FLAGS.SILENT', 'INBOX', 'inbox', 'a/b', '&AOk-', '&Jjo!', '&-', '&', '&AGEAYgBj-', '%', 'Sent', 'NIL',
  'MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'CHANGEDSINCE', 'UNCHANGEDSINCE', 'CONDSTORE',
  'QRESYNC', 'IMAP4rev2', 'PLAIN', 'LOGIN', '=', 'DONE', 'priv', 'shared', 'RETURN', 'SUBSCRIBED', 'CHILDREN',
  'RECURSIVEMATCH', 'REMOTE', 'SPECIAL-USE', 'STATUS', 'USE', '\\Archive', '\\All', 'SIZE',
];

const ATOM_CHARS = 'abcXYZ019!#$&\'+,-./:;<=>?@^_`|}~%*\\[]';
const randomAtom = fc.string({ unit: fc.constantFrom(...ATOM_CHARS), minLength: 1, maxLength: 12 });

const quotedString = fc
  .string({ unit: fc.oneof(fc.constantFrom('a', ' ', '"', '\\', 'é', '\0', '\r', '{', ')'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 16 })
  .chain((s) =>
    fc.constantFrom(
      '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"', // well escaped
      '"' + s + '"', // maybe broken
      '"' + s, // unterminated
    ),
  );

const literalArg = fc
  .tuple(fc.uint8Array({ maxLength: 24 }), fc.constantFrom('', '+'), fc.integer({ min: -2, max: 2 }), fc.boolean())
  .map(([bytes, plus, skew, exact]) => {
    const n = exact ? bytes.length : Math.max(0, bytes.length + skew);
    return Buffer.concat([Buffer.from(`{${n}${plus}}\r\n`), Buffer.from(bytes)]);
  });

const dateTime = fc.constantFrom('"17-Jul-1996 02:44:25 -0700"', '" 1-Jan-2000 00:00:00 +0000"', '"31-Feb-2020 25:61:61 +9999"', '"1-Jan-2000"');

const { arg } = fc.letrec<{ arg: Buffer; list: Buffer }>((tie) => ({
  arg: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS).map((a) => Buffer.from(a)),
    randomAtom.map((a) => Buffer.from(a, 'latin1')),
    quotedString.map((q) => Buffer.from(q, 'utf8')),
    literalArg,
    dateTime.map((d) => Buffer.from(d)),
    tie('list'),
    fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b)),
  ),
  list: fc
    .tuple(fc.array(tie('arg'), { maxLength: 4 }), fc.constantFrom('()', '(]', '(', ')'))
    .map(([items, [open, close]]) => Buffer.concat([Buffer.from(open), ...items.flatMap((a, i) => (i ? [Buffer.from(' '), a] : [a])), Buffer.from(close ?? '')])),
}));

/** One command line: tag, name, arguments, a line end (mostly CRLF). */
export const commandLine = fc
  .tuple(
    fc.oneof(fc.constantFrom('a', 'A001', 'x.1', '*', '+', '', 'a{1}', 'a"'), randomAtom),
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...COMMANDS) }, randomAtom),
    fc.array(arg, { maxLength: 7 }),
    fc.constantFrom(' ', ' ', ' ', '  ', ''),
    fc.constantFrom('\r\n', '\r\n', '\r\n', '\n', '\r', ''),
  )
  .map(([tag, name, args, sep, eol]) =>
    Buffer.concat([Buffer.from(`${tag} ${name}`, 'latin1'), ...args.flatMap((a) => [Buffer.from(sep), a]), Buffer.from(eol)]),
  );

/** A stream of commands, sometimes with raw bytes between them. */
export const commandStream = fc
  .array(fc.oneof({ weight: 6, arbitrary: commandLine }, fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b))), { minLength: 1, maxLength: 6 })
  .map((parts) => Buffer.concat(parts));

// ------------------------------------------------------------------ framer

/** Small limits, so the refusal and fatal paths are reached often. */
const FRAMER_OPTIONS: FramerOptions = {
  maxLineLength: 120,
  maxLiterals: 3,
  literalLimit: (line) => (/APPEND/i.test(line) ? 40 : 12),
};

/** An event as plain data, comparable with deepEqual. */
function plain(event: FrameEvent): unknown {
  if (event.kind !== 'frame') return event;
  return { kind: 'frame', segments: event.frame.segments, literals: event.frame.literals.map((l) => l.toString('latin1')) };
}

const LITERAL_MARKER = /\{(\d{1,20})(\+?)\}$/;

function checkFrameShape(event: FrameEvent): void {
  if (event.kind !== 'frame') return;
  const { segments, literals } = event.frame;
  assert.equal(segments.length, literals.length + 1, 'one more segment than literals');
  literals.forEach((literal, i) => {
    const m = LITERAL_MARKER.exec(segments[i]);
    assert.ok(m, `segment ${i} ends with a literal marker: ${JSON.stringify(segments[i])}`);
    assert.equal(literal.length, Number(m[1]), 'a literal holds exactly the announced octets');
  });
  assert.ok(!LITERAL_MARKER.test(segments[segments.length - 1]), 'the last segment announces no literal');
  for (const s of segments) assert.ok(!s.includes('\n'), 'no line feed inside a segment');
}

export const framerTarget: FuzzTarget = {
  name: 'imap-framer',
  claim: 'never throws; the same bytes cut anywhere give the same events; literals hold exactly the announced octets',
  open: () => ({
    property: fc.property(
      fc.oneof({ weight: 4, arbitrary: commandStream }, fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b))),
      fc.array(fc.nat(), { maxLength: 8 }),
      (input, rawCuts) => {
        const whole = new Framer(FRAMER_OPTIONS).push(input);
        whole.forEach(checkFrameShape);
        const cuts = [...new Set(rawCuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const framer = new Framer(FRAMER_OPTIONS);
        const pieces: FrameEvent[] = [];
        let from = 0;
        for (const cut of [...cuts, input.length]) {
          pieces.push(...framer.push(input.subarray(from, cut)));
          from = cut;
        }
        assert.deepEqual(pieces.map(plain), whole.map(plain));
        // One byte at a time is the most extreme cutting.
        const byByte = new Framer(FRAMER_OPTIONS);
        const single: FrameEvent[] = [];
        for (let i = 0; i < input.length; i++) single.push(...byByte.push(input.subarray(i, i + 1)));
        assert.deepEqual(single.map(plain), whole.map(plain));
      },
    ),
  }),
};

// ------------------------------------------------------------------ parser

/** What a command's parse may throw: a ParseError (BAD) or a tagged response of its own. */
export function isDocumentedParseError(err: unknown): boolean {
  return err instanceof ParseError || (err instanceof Error && err.constructor.name === 'ImapResponse');
}

/** Parses a frame the way the session does: the command line, then the command's own arguments. */
function parseFrame(events: FrameEvent[]): void {
  for (const event of events) {
    if (event.kind !== 'frame') continue;
    try {
      const line = parseCommandLine(event.frame);
      assert.match(line.name, /^[A-Z][A-Z0-9.-]*$/, 'command names are upper-cased');
      const spec = commandFor(line.name);
      if (spec) spec.parse(new Args(line.args), line);
    } catch (err) {
      if (!isDocumentedParseError(err)) throw err;
    }
  }
}

export const parserTarget: FuzzTarget = {
  name: 'imap-parser',
  claim: 'command line and every command\'s arguments: nothing thrown but ParseError',
  open: () => ({
    property: fc.property(fc.oneof({ weight: 6, arbitrary: commandStream }, fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))), (input) => {
      parseFrame(new Framer({ maxLineLength: 8192, maxLiterals: 20, literalLimit: () => 1 << 20 }).push(input));
    }),
  }),
};

// ------------------------------------------------------------------ tokens round trip

const PLAIN_ATOM = fc.string({ unit: fc.constantFrom(...'aZ09!#$&\'+,-./:;<=>?@^_`|~%*'), minLength: 1, maxLength: 8 });

const { token } = fc.letrec<{ token: Token; tokenList: Token }>((tie) => ({
  token: fc.oneof(
    { depthSize: 'small' },
    PLAIN_ATOM.map((v): Token => ({ t: 'atom', v })),
    fc.uint8Array({ maxLength: 12 }).map((b): Token => ({ t: 'string', v: Buffer.from(b), literal: true })),
    fc.uint8Array({ maxLength: 12 }).map((b): Token => ({ t: 'literal8', v: Buffer.from(b) })),
    fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '(', '{', '~'), maxLength: 10 }).map((s): Token => ({ t: 'string', v: Buffer.from(s, 'latin1'), literal: false })),
    tie('tokenList'),
  ),
  tokenList: fc.array(tie('token'), { maxLength: 4 }).map((v): Token => ({ t: 'list', v })),
}));

/** Writes tokens the way a client does: atoms bare, strings quoted or as literals, lists in parentheses. */
function renderTokens(tokens: Token[]): Buffer {
  return Buffer.concat(
    tokens.flatMap((tok, i) => {
      const sep = i ? [Buffer.from(' ')] : [];
      if (tok.t === 'atom') return [...sep, Buffer.from(tok.v, 'latin1')];
      if (tok.t === 'list') return [...sep, Buffer.from('('), renderTokens(tok.v), Buffer.from(')')];
      if (tok.t === 'literal8') return [...sep, Buffer.from(`~{${tok.v.length}}\r\n`), tok.v];
      if (tok.literal) return [...sep, Buffer.from(`{${tok.v.length}}\r\n`), tok.v];
      return [...sep, Buffer.from('"' + tok.v.toString('latin1').replace(/[\\"]/g, (c) => '\\' + c) + '"', 'latin1')];
    }),
  );
}

export const tokenRoundTripTarget: FuzzTarget = {
  name: 'imap-tokens',
  claim: 'any atoms, quoted strings, literals and nested lists written by a client parse back to the same tokens',
  open: () => ({
    property: fc.property(fc.array(token, { maxLength: 6 }), (tokens) => {
      const wire = Buffer.concat([Buffer.from('t X '), renderTokens(tokens), Buffer.from('\r\n')]);
      const frames = new Framer({ maxLineLength: 1 << 16, maxLiterals: 1000, literalLimit: () => 1 << 20 }).push(wire).filter((e) => e.kind === 'frame');
      assert.equal(frames.length, 1);
      const line = parseCommandLine(frames[0].frame);
      assert.deepEqual(line.args, tokens);
    }),
  }),
};

export const IMAP_TARGETS = [framerTarget, parserTarget, tokenRoundTripTarget];
