// Several Heron nodes on one PostgreSQL test database: in this process (each a
// full Heron with its own store, listeners and workers, as another machine
// would run it) or as child processes (for kill -9). The nodes share the data
// folder, so they share the server secret too, as an operator's nodes must.
import { createMailAccount, findMailbox, findMailServerByHostname, type Store } from '../../schema/index.ts';
import type { Heron } from '../../server/heron.ts';
import { type HeronProcess, startHeronProcess } from '../helpers/heron-process.ts';
import { ensureTestDatabase } from '../helpers/database.ts';
import { RawClient } from '../imap/raw-client.ts';
import { removeDir, startTestHeron, tempDir, TEST_HOSTNAME } from '../helpers/heron.ts';

export type Node = Heron & { dataDir: string };

export interface Nodes {
  dataDir: string;
  nodes: Node[];
  stop(): Promise<void>;
}

/** Starts `count` nodes one after the other on one fresh database; if one fails, those already up are stopped. */
async function startGroup<N extends { stop(): Promise<void> }>(count: number, start: (dataDir: string) => Promise<N>): Promise<{ dataDir: string; nodes: N[]; stop(): Promise<void> }> {
  const dataDir = tempDir('heron-nodes-');
  await ensureTestDatabase(dataDir);
  const nodes: N[] = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await start(dataDir));
  } catch (err) {
    for (const node of nodes) await node.stop();
    removeDir(dataDir);
    throw err;
  }
  return {
    dataDir,
    nodes,
    async stop() {
      for (const node of nodes) await node.stop();
      removeDir(dataDir);
    },
  };
}

/** Starts `count` Herons in this process on one fresh database (or on `databaseUrl`), one after the other. */
export function startNodes(count: number, env: Record<string, string> = {}, databaseUrl?: string): Promise<Nodes> {
  return startGroup(count, (dataDir) => startTestHeron({ dataDir, env: databaseUrl ? { ...env, HERON_DATABASE_URL: databaseUrl } : env }));
}

/** Starts `count` Herons as child processes on one fresh database, one after the other. */
export function startChildNodes(count: number, env: Record<string, string> = {}): Promise<{ dataDir: string; nodes: HeronProcess[]; stop(): Promise<void> }> {
  return startGroup(count, (dataDir) => startHeronProcess(dataDir, { env }));
}

/** A mail account on the default mail server, and its INBOX id. */
export async function account(store: Store, local: string, password: string): Promise<{ username: string; accountId: number; inboxId: number }> {
  const server = await findMailServerByHostname(store, TEST_HOSTNAME);
  const username = `${local}@${TEST_HOSTNAME}`;
  const row = await createMailAccount(store, { username, password, mailServerId: server!.id });
  return { username, accountId: row.id, inboxId: (await findMailbox(store, row.id, 'INBOX'))!.id };
}

export function mail(subject: string, to = `someone@${TEST_HOSTNAME}`): string {
  return `From: sender@${TEST_HOSTNAME}\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@heron.test>\r\n\r\nHello from ${subject}.\r\n`;
}

/** A session in IDLE: `until` reads (with the client's deadline on silence) until a condition holds; `done` ends IDLE. */
export async function idle(client: RawClient, tag = 'I1'): Promise<{ until(condition: (text: string) => boolean): Promise<string>; done(): Promise<string> }> {
  client.write(`${tag} IDLE\r\n`);
  await client.readUntil((b) => b.includes('+ '));
  client.take();
  return {
    until: (condition) => client.readUntil(condition),
    async done() {
      client.write('DONE\r\n');
      return client.waitTagged(tag);
    },
  };
}

/** Polls `check` every 25 ms until it holds; fails after `ms` (a deadline for silence, not a timing assertion). */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not so within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
