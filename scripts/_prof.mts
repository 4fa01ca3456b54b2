import { appendMessage, createMailAccount, findMailbox, findMailServerByHostname } from '../schema/index.ts';
import { startTestHeron, TEST_HOSTNAME } from '../tests/helpers/heron.ts';
import { RawClient } from '../tests/imap/raw-client.ts';
const heron = await startTestHeron();
const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
const a = await createMailAccount(heron.store, { username: 'm@heron.test', password: 'pw', mailServerId: server!.id });
const box = (await findMailbox(heron.store, a.id, 'INBOX'))!.id;
await Promise.all(Array.from({ length: 500 }, (_, j) => appendMessage(heron.store, { mailboxId: box, raw: Buffer.from(`Subject: ${j}\r\n\r\nhello\r\n`) })));
const c = await RawClient.connect(heron.ports.imaps, { tls: true });
await c.command('a', 'LOGIN m@heron.test pw');
await c.command('b', 'SELECT INBOX');
const kinds: Record<string, number> = {};
const t0 = Date.now();
for (let i = 0; i < 300; i++) {
  for (const cmd of ['FETCH 1:10 (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM DATE)])', 'STORE 5 +FLAGS (\\Seen)', 'APPEND INBOX {21+}\r\nSubject: x\r\n\r\nhello\r\n', 'NOOP']) {
    const t = process.hrtime.bigint();
    await c.command('x', cmd);
    kinds[cmd.slice(0, 6)] = (kinds[cmd.slice(0, 6)] ?? 0) + Number(process.hrtime.bigint() - t) / 1e6;
  }
}
console.log((Date.now() - t0) / 1200, 'ms/command', kinds);
await heron.stop();
