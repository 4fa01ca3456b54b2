// Fuzz targets for SMTP DATA: what the client sends after "354" goes through
// smtp-server's stream parser (end of data, dot-unstuffing) into Heron's
// DataGuard, as in smtpd/listener.ts. Both are compared with a simple model:
// only CRLF "." CRLF ends DATA, any bare CR or LF refuses the message, and an
// accepted message is exactly the unstuffed bytes.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { type DataLimits, DataGuard } from '../../smtpd/data-guard.ts';
import type { FuzzTarget } from './target.ts';

// ------------------------------------------------------------------ the model

type Verdict = { raw: Buffer } | { code: number; enhanced: string };

const CR = 0x0d;
const LF = 0x0a;

/** Where DATA ends: the first CRLF.CRLF, counting the CRLF before the first data line. */
export function modelEndOfData(input: Buffer): { content: Buffer; rest: Buffer } | null {
  const framed = Buffer.concat([Buffer.from('\r\n'), input]);
  const at = framed.indexOf('\r\n.\r\n');
  if (at === -1) return null;
  const body = framed.subarray(2, at + 2);
  // RFC 5321 §4.5.2, as smtp-server applies it: a line that starts with ".." loses one dot.
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const lineStart = i === 0 || body[i - 1] === LF;
    if (lineStart && body[i] === 0x2e && body[i + 1] === 0x2e) continue;
    out.push(body[i]);
  }
  return { content: Buffer.from(out), rest: framed.subarray(at + 5) };
}

/** What the guard must decide for message bytes: the first rule broken, by position, else the bytes. */
export function modelGuard(content: Buffer, limits: DataLimits): Verdict {
  if (content.length > limits.maxSize) return { code: 552, enhanced: '5.3.4' };
  // [position, rank among checks at one position, code, enhanced]
  const problems: Array<[number, number, number, string]> = [];
  for (let i = 1; i < content.length; i++) {
    if (content[i - 1] === CR && content[i] !== LF) {
      problems.push([i, 0, 550, '5.5.2']);
      break;
    }
  }
  const bareLf = content.findIndex((b, i) => b === LF && (i === 0 || content[i - 1] !== CR));
  if (bareLf !== -1) problems.push([bareLf, 1, 550, '5.5.2']);
  // The header: lines up to the first one with nothing but its line end.
  let lineStart = 0;
  let headerEnd = content.length;
  while (lineStart < content.length) {
    const lf = content.indexOf(LF, lineStart);
    const end = lf === -1 ? content.length : lf;
    const visible: number[] = [];
    for (let i = lineStart; i < end; i++) if (content[i] !== CR) visible.push(i);
    if (visible.length === 0 && lf !== -1) {
      headerEnd = lf;
      break;
    }
    if (visible.length > limits.maxHeaderLine) {
      problems.push([visible[limits.maxHeaderLine], 2, 552, '5.6.0']);
      break;
    }
    if (lf === -1) break;
    lineStart = lf + 1;
  }
  if (limits.maxHeaderBytes < headerEnd) problems.push([limits.maxHeaderBytes, 3, 552, '5.3.4']);
  problems.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (problems.length) return { code: problems[0][2], enhanced: problems[0][3] };
  if (content.length && content[content.length - 1] === CR) return { code: 550, enhanced: '5.5.2' };
  return { raw: content };
}

function verdictOf(result: ReturnType<DataGuard['result']>): Verdict {
  if ('raw' in result) return { raw: result.raw };
  return { code: result.error.responseCode, enhanced: result.error.message.split(' ')[0] };
}

// ------------------------------------------------------------------ inputs

const LINES = ['Subject: x', 'From: a@b', '', '.', '..', '...', '.x', '..x', 'x', 'body text', 'a'.repeat(25), ' folded', 'QUIT', 'RSET'];
const ENDS = ['\r\n', '\r\n', '\r\n', '\r\n', '\n', '\r', '', '\r\n.\r\n', '\n.\n', '\r.\r', '\n.\r\n', '\r\n.\n', '\r\n.\r'];

/** DATA as a client (or a smuggler) might send it. */
export const dataBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .array(fc.tuple(fc.constantFrom(...LINES), fc.constantFrom(...ENDS)), { maxLength: 14 })
    .map((lines) => Buffer.from(lines.map(([l, e]) => l + e).join(''), 'latin1')),
  // Dense in the bytes that matter.
  fc.string({ unit: fc.constantFrom('\r', '\n', '.', 'a', ':'), maxLength: 40 }).map((s) => Buffer.from(s, 'latin1')),
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
);

/** Small limits, so each check is reached; sometimes the real ones. */
const limits: fc.Arbitrary<DataLimits> = fc.oneof(
  fc.record({ maxSize: fc.integer({ min: 0, max: 80 }), maxHeaderLine: fc.integer({ min: 1, max: 30 }), maxHeaderBytes: fc.integer({ min: 1, max: 80 }) }),
  fc.constant({ maxSize: 25 * 1024 * 1024, maxHeaderLine: 998, maxHeaderBytes: 256 * 1024 }),
);

/** Cuts `input` at the given points (taken modulo its length). */
function chunks(input: Buffer, rawCuts: number[]): Buffer[] {
  const cuts = [...new Set(rawCuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    if (cut > from) out.push(input.subarray(from, cut));
    from = cut;
  }
  return out;
}

// ------------------------------------------------------------------ targets

/** Feeds the chunks to smtp-server's parser in DATA mode with the guard behind it, as the listener does. */
async function smtpDataPipeline(parts: Buffer[], dataLimits: DataLimits): Promise<{ verdict: Verdict | null; commands: string[] }> {
  const smtp = new SMTPStream();
  const commands: string[] = [];
  smtp.oncommand = (line: Buffer, next?: () => void) => {
    commands.push(line.toString('latin1'));
    next?.();
  };
  const guard = new DataGuard(dataLimits);
  let verdict: Verdict | null = null;
  guard.on('finish', () => {
    verdict = verdictOf(guard.result());
    smtp.continue(); // as smtp-server's connection does once onData has answered
  });
  smtp.startDataMode().pipe(guard);
  const finished = new Promise<void>((resolve, reject) => {
    smtp.on('finish', resolve);
    smtp.on('error', reject);
  });
  for (const part of parts) smtp.write(part);
  smtp.end();
  await finished;
  // Let the guard's own 'finish' run if the end of data came with the last chunk.
  await new Promise((r) => setImmediate(r));
  return { verdict, commands };
}

export const smtpDataTarget: FuzzTarget = {
  name: 'smtp-data',
  claim: 'only CRLF.CRLF ends DATA, however the bytes are cut; what follows is read as commands; bare CR/LF refused; accepted bytes exactly the unstuffed data',
  open: () => ({
    property: fc.asyncProperty(dataBytes, fc.array(fc.nat(), { maxLength: 6 }), limits, async (input, cuts, dataLimits) => {
      const { verdict, commands } = await smtpDataPipeline(chunks(input, cuts), dataLimits);
      const end = modelEndOfData(input);
      if (!end) {
        assert.equal(verdict, null, 'DATA must not end without CRLF.CRLF');
        assert.deepEqual(commands, [], 'nothing is read as a command while in DATA');
        return;
      }
      assert.ok(verdict, 'DATA ends at CRLF.CRLF');
      assert.deepEqual(verdict, modelGuard(end.content, dataLimits));
      const lines = end.rest.toString('latin1').split(/\r?\n/);
      if (lines[lines.length - 1] === '') lines.pop();
      assert.deepEqual(commands, lines, 'the bytes after the end of data are the next commands');
    }),
  }),
};

export const dataGuardTarget: FuzzTarget = {
  name: 'smtp-data-guard',
  claim: 'DataGuard on any bytes in any chunks decides as the model: first broken rule, else the bytes unchanged',
  open: () => ({
    property: fc.asyncProperty(dataBytes, fc.array(fc.nat(), { maxLength: 6 }), limits, async (content, cuts, dataLimits) => {
      const guard = new DataGuard(dataLimits);
      const finished = new Promise<void>((resolve) => guard.on('finish', resolve));
      for (const part of chunks(content, cuts)) guard.write(part);
      guard.end();
      await finished;
      assert.deepEqual(verdictOf(guard.result()), modelGuard(content, dataLimits));
    }),
  }),
};

export const SMTP_TARGETS = [smtpDataTarget, dataGuardTarget];
