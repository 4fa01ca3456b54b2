// SAVEDATE (RFC 8514): FETCH SAVEDATE is when the message was saved in this
// mailbox (APPEND, delivery, COPY and MOVE into it), apart from INTERNALDATE;
// SEARCH SAVEDBEFORE / SAVEDON / SAVEDSINCE compare its day, SAVEDATESUPPORTED
// matches every message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findMailbox } from '../../schema/index.ts';
import { DEADLINE, message, untagged, useImap } from './fixture.ts';

const imap = useImap();
// date-time (RFC 3501 §9): the day is space-padded to two characters.
const SAVEDATE = /SAVEDATE "([ \d]\d)-(\w{3})-(\d{4}) ([\d:]{8}) \+0000"/;

function saveDates(response: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of untagged(response)) {
    const uid = /UID (\d+)/.exec(line);
    const date = SAVEDATE.exec(line);
    if (uid && date) out.set(Number(uid[1]), Date.parse(`${date[2]} ${date[1].trim()} ${date[3]} ${date[4]} GMT`));
  }
  return out;
}

describe('SAVEDATE', () => {
  test('FETCH SAVEDATE: when saved here, not INTERNALDATE; COPY and MOVE give the target its own time', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const store = imap().heron.store;
    const c = await imap().login(user);
    assert.match(await c.command('cap', 'CAPABILITY'), /^\* CAPABILITY [^\r]* SAVEDATE/);
    const raw = message('Saved');
    // An APPEND with an internal date in 2019: saved now.
    const appendedAt = Date.now();
    await c.command('a', `APPEND INBOX "01-Feb-2019 10:00:00 +0000" {${raw.length}+}\r\n${raw}`);
    await c.command('s', 'SELECT INBOX');
    const first = await c.command('f', 'UID FETCH 1 (INTERNALDATE SAVEDATE)');
    assert.match(first, /^\* 1 FETCH \(UID 1 INTERNALDATE " 1-Feb-2019 10:00:00 \+0000" SAVEDATE "[^"]+"\)\r\n/);
    const saved = saveDates(first).get(1)!;
    assert.ok(Math.abs(saved - appendedAt) < 60_000, `${new Date(saved).toISOString()} vs ${new Date(appendedAt).toISOString()}`);

    // Saved long ago (as if), then copied and moved today: the copies are saved today, the original keeps its date.
    const inbox = (await findMailbox(store, id, 'INBOX'))!;
    await store.run(`UPDATE mail SET created_at = ? WHERE mail_box_id = ? AND uid = 1`, Date.UTC(2020, 4, 17, 8, 30), inbox.id);
    assert.match(await c.command('f2', 'UID FETCH 1 SAVEDATE'), /SAVEDATE "17-May-2020 08:30:00 \+0000"/);
    await c.command('cp', 'UID COPY 1 Trash');
    await c.command('mv', 'UID MOVE 1 Drafts');
    for (const box of ['Trash', 'Drafts']) {
      await c.command('sb', `SELECT ${box}`);
      const at = saveDates(await c.command('fb', 'UID FETCH 1 SAVEDATE')).get(1)!;
      assert.ok(Date.now() - at < 60_000, `${box}: ${new Date(at).toISOString()}`);
    }
  });

  test('SEARCH SAVEDBEFORE, SAVEDON, SAVEDSINCE by the UTC day; SAVEDATESUPPORTED matches all', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const store = imap().heron.store;
    for (let i = 1; i <= 4; i++) await imap().deliver(id, 'INBOX', message(`s${i}`));
    const inbox = (await findMailbox(store, id, 'INBOX'))!;
    const days = [Date.UTC(2021, 0, 9, 23, 59, 59), Date.UTC(2021, 0, 10, 0, 0, 0), Date.UTC(2021, 0, 10, 23, 59, 59), Date.UTC(2021, 0, 11, 0, 0, 1)];
    for (const [i, at] of days.entries()) await store.run(`UPDATE mail SET created_at = ? WHERE mail_box_id = ? AND uid = ?`, at, inbox.id, i + 1);
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    const search = async (criteria: string) => (await c.command('q', `UID SEARCH ${criteria}`)).split('\r\n')[0];
    assert.equal(await search('SAVEDON 10-Jan-2021'), '* SEARCH 2 3');
    assert.equal(await search('SAVEDBEFORE 10-Jan-2021'), '* SEARCH 1');
    assert.equal(await search('SAVEDSINCE 10-Jan-2021'), '* SEARCH 2 3 4');
    assert.equal(await search('SAVEDSINCE 11-Jan-2021'), '* SEARCH 4');
    assert.equal(await search('NOT SAVEDON 10-Jan-2021'), '* SEARCH 1 4');
    assert.equal(await search('OR SAVEDBEFORE 10-Jan-2021 SAVEDSINCE 11-Jan-2021'), '* SEARCH 1 4');
    assert.equal(await search('SAVEDATESUPPORTED'), '* SEARCH 1 2 3 4');
    assert.equal(await search('SAVEDATESUPPORTED SAVEDON 9-Jan-2021'), '* SEARCH 1');
    assert.match(await c.command('b1', 'UID SEARCH SAVEDON 32-Jan-2021'), /^b1 BAD /);
    assert.match(await c.command('b2', 'UID SEARCH SAVEDBEFORE'), /^b2 BAD /);
    assert.match(await c.command('b3', 'FETCH 1 (SAVEDATE'), /^b3 BAD /);
  });
});
