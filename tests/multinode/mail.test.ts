// Two Heron nodes on one PostgreSQL database behave as one server for mail:
// what one node stores, the other's IMAP sessions are told of (LISTEN/NOTIFY
// and the journal), and UIDs stay unique and ordered under writers on both.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { engineDescribe } from '../helpers/database.ts';
import { loggedIn, type RawClient } from '../imap/raw-client.ts';
import { RawSmtp } from '../smtp/client.ts';
import { account, idle, mail, type Node, type Nodes, startNodes } from './nodes.ts';

const PASSWORD = 'node password 1';

engineDescribe('postgres', 'two nodes on one database: mail', () => {
  let cluster: Nodes;
  let a: Node;
  let b: Node;
  const clients: RawClient[] = [];
  const login = async (node: Node, user: string) => {
    const c = await loggedIn(node.ports.imaps, user, PASSWORD);
    clients.push(c);
    return c;
  };

  before(async () => {
    cluster = await startNodes(2);
    [a, b] = cluster.nodes;
  });
  after(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  test('a message accepted over SMTP on node A reaches an IDLE session on node B as EXISTS', async () => {
    const alice = await account(a.store, 'alice', PASSWORD);
    const onB = await login(b, alice.username);
    assert.match(await onB.command('S1', 'SELECT INBOX'), /\* 0 EXISTS/);
    const waiting = await idle(onB);

    const smtp = await RawSmtp.connect(a.ports.submissions, { implicitTls: true });
    await smtp.hello();
    assert.equal((await smtp.authPlain(alice.username, PASSWORD)).code, 235);
    assert.equal((await smtp.cmd(`MAIL FROM:<${alice.username}>`)).code, 250);
    assert.equal((await smtp.cmd(`RCPT TO:<${alice.username}>`)).code, 250);
    assert.equal((await smtp.cmd('DATA')).code, 354);
    smtp.write(mail('across the nodes', alice.username) + '.\r\n');
    assert.equal((await smtp.reply()).code, 250);
    await smtp.quit();

    await waiting.until((t) => /\* 1 EXISTS\r\n/.test(t));
    await waiting.done();
    assert.match(await onB.command('F1', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])'), /Subject: across the nodes/);
  });

  test('flags stored on A reach a session on B as FETCH, and an expunge on A as EXPUNGE', async () => {
    const bob = await account(a.store, 'bob', PASSWORD);
    const onA = await login(a, bob.username);
    for (const subject of ['first', 'second']) {
      const raw = mail(subject, bob.username);
      assert.match(await onA.command('A1', `APPEND INBOX {${raw.length}+}\r\n${raw}`), /A1 OK/);
    }
    await onA.command('S1', 'SELECT INBOX');
    const onB = await login(b, bob.username);
    assert.match(await onB.command('S1', 'SELECT INBOX'), /\* 2 EXISTS/);
    const waiting = await idle(onB);

    await onA.command('T1', 'STORE 1 +FLAGS (\\Flagged)');
    await waiting.until((t) => /\* 1 FETCH \(UID \d+ FLAGS \(\\Flagged\)\)\r\n/.test(t));

    await onA.command('T2', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    assert.match(await onA.command('T3', 'EXPUNGE'), /\* 2 EXPUNGE/);
    await waiting.until((t) => /\* 2 EXPUNGE\r\n/.test(t));
    await waiting.done();
    assert.match(await onB.command('F1', 'FETCH 1:* (FLAGS)'), /^\* 1 FETCH \(FLAGS \(\\Flagged\)\)\r\nF1 OK/m);
  });

  test('a mailbox renamed on A stays selected on B and keeps getting news; deleted on A, it ends B\'s session', async () => {
    const carol = await account(a.store, 'carol', PASSWORD);
    const onA = await login(a, carol.username);
    assert.match(await onA.command('C1', 'CREATE Projects'), /C1 OK/);
    const onB = await login(b, carol.username);
    assert.match(await onB.command('S1', 'SELECT Projects'), /\* 0 EXISTS/);
    let waiting = await idle(onB);

    assert.match(await onA.command('R1', 'RENAME Projects Archive'), /R1 OK/);
    const raw = mail('into the renamed one', carol.username);
    assert.match(await onA.command('A1', `APPEND Archive {${raw.length}+}\r\n${raw}`), /A1 OK/);
    await waiting.until((t) => /\* 1 EXISTS\r\n/.test(t));
    await waiting.done();
    const listed = await onB.command('L1', 'LIST "" "*"');
    assert.match(listed, /\* LIST \([^)]*\) "\/" "Archive"\r\n/);
    assert.doesNotMatch(listed, /Projects/);

    waiting = await idle(onB, 'I2');
    await onA.command('S2', 'SELECT INBOX');
    assert.match(await onA.command('D1', 'DELETE Archive'), /D1 OK/);
    await waiting.until((t) => /\* BYE /.test(t));
  });

  test('APPENDs from several sessions on both nodes to one mailbox: no UID twice, and both nodes list the same UIDs', async () => {
    const dave = await account(a.store, 'dave', PASSWORD);
    const sessions = await Promise.all([a, a, a, b, b, b].map((node) => login(node, dave.username)));
    const perSession = 15;
    const uids = (
      await Promise.all(
        sessions.map(async (c, s) => {
          const mine: number[] = [];
          for (let i = 0; i < perSession; i++) {
            const raw = mail(`append ${s}.${i}`, dave.username);
            const reply = await c.command(`P${i}`, `APPEND INBOX {${raw.length}+}\r\n${raw}`);
            const m = /P\d+ OK \[APPENDUID \d+ (\d+)\]/.exec(reply);
            assert.ok(m, reply);
            mine.push(Number(m[1]));
          }
          // Each session's own UIDs rise: a later APPEND never got a lower UID.
          assert.deepEqual([...mine].sort((x, y) => x - y), mine);
          return mine;
        }),
      )
    ).flat();
    assert.equal(new Set(uids).size, uids.length, 'no UID handed out twice');
    const expected = [...uids].sort((x, y) => x - y);
    const listed = async (c: RawClient) => {
      await c.command('S1', 'SELECT INBOX');
      const reply = await c.command('U1', 'UID SEARCH ALL');
      return /\* SEARCH([\d ]*)\r\n/.exec(reply)![1].trim().split(' ').map(Number);
    };
    assert.deepEqual(await listed(sessions[0]), expected);
    assert.deepEqual(await listed(sessions[5]), expected);
  });
}, { timeout: 180_000 });
