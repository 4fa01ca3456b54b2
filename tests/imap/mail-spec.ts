// Messages for SORT and THREAD tests, header by header: a field left out gets
// a plain default, a field set to null is left out of the message.
import assert from 'node:assert/strict';
import type { RawClient } from './raw-client.ts';
import { untagged } from './fixture.ts';

export interface MailSpec {
  from?: string | null;
  to?: string | null;
  cc?: string | null;
  subject?: string | null;
  date?: string | null;
  messageId?: string | null;
  references?: string | null;
  inReplyTo?: string | null;
  body?: string;
}

let counter = 0;

export function mail(spec: MailSpec = {}): string {
  const fields: Array<[string, string | null | undefined, string | null]> = [
    ['From', spec.from, 'Alice <alice@example.org>'],
    ['To', spec.to, 'bob@heron.test'],
    ['Cc', spec.cc, null],
    ['Subject', spec.subject, 'test'],
    ['Date', spec.date, 'Mon, 7 Feb 1994 21:52:25 -0800'],
    ['Message-ID', spec.messageId, `<m${++counter}.${process.pid}@example.org>`],
    ['References', spec.references, null],
    ['In-Reply-To', spec.inReplyTo, null],
  ];
  let head = '';
  for (const [name, value, fallback] of fields) {
    const v = value === undefined ? fallback : value;
    if (v !== null) head += `${name}: ${v}\r\n`;
  }
  return `${head}\r\n${spec.body ?? 'body'}\r\n`;
}

/** Midnight UTC of a day in 2024 (January by default): an internal date. */
export const day = (d: number, month = 0): number => Date.UTC(2024, month, d);

/** Runs each command and checks its one untagged answer (e.g. "* SORT 2 1"), and the tagged OK. */
export async function expectAnswers(c: RawClient, cases: Array<[command: string, answer: string]>): Promise<void> {
  for (const [command, answer] of cases) {
    const r = await c.command('q', command);
    assert.match(r, /\r\nq OK [^\r\n]*\r\n$|^q OK/, `${command}: ${r}`);
    assert.deepEqual(untagged(r), [answer], command);
  }
}
