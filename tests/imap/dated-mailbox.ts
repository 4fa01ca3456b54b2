// The mailbox the ESORT and CONTEXT=SORT tests sort: six messages whose Date
// order, subject order and mailbox order all differ.
import assert from 'node:assert/strict';
import type { Imap } from './fixture.ts';
import { day, mail } from './mail-spec.ts';
import type { RawClient } from './raw-client.ts';

/** A Date header on 7 Feb 1994 at this hour (UTC). */
export const at = (hour: number): string => `Mon, 7 Feb 1994 ${String(hour).padStart(2, '0')}:00:00 +0000`;

/**
 * A new account whose INBOX holds six messages. By Date: 4 5 6 1 2 3; by
 * subject: 2 4 1 6 3 5; \Flagged: 1 4 6. With `expungeFirst` a seventh message
 * comes first and is expunged by the returned session (SELECTed), so UIDs are
 * message numbers + 1.
 */
export async function datedMailbox(imap: Imap, expungeFirst = false): Promise<{ c: RawClient; id: number; user: string }> {
  const { user, id } = await imap.account();
  const specs = [
    { subject: 'c', hour: 11, flagged: true },
    { subject: 'a', hour: 12, flagged: false },
    { subject: 'e', hour: 13, flagged: false },
    { subject: 'b', hour: 8, flagged: true },
    { subject: 'f', hour: 9, flagged: false },
    { subject: 'd', hour: 10, flagged: true },
  ];
  if (expungeFirst) await imap.deliver(id, 'INBOX', mail({ subject: 'gone' }), ['\\Deleted'], day(1));
  for (const [i, s] of specs.entries()) await imap.deliver(id, 'INBOX', mail({ subject: s.subject, date: at(s.hour) }), s.flagged ? ['\\Flagged'] : [], day(i + 2));
  const c = await imap.login(user);
  assert.match(await c.command('s', 'SELECT INBOX'), /s OK/);
  if (expungeFirst) assert.match(await c.command('x', 'EXPUNGE'), /^\* 1 EXPUNGE\r\nx OK /);
  return { c, id, user };
}
