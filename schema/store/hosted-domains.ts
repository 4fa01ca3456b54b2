// The mail domains Heron hosts: every mail_server hostname plus the extra
// domains in mail_domain (what the DNS zone is published for).
import { asc } from 'drizzle-orm';
import { mailDomain, mailServer } from '../tables.ts';
import type { Store } from './store.ts';

export async function listHostedDomains(store: Store): Promise<string[]> {
  const servers = store.db.select({ d: mailServer.hostname }).from(mailServer).orderBy(asc(mailServer.id)).all();
  const extra = store.db.select({ d: mailDomain.domain }).from(mailDomain).orderBy(asc(mailDomain.id)).all();
  return [...new Set([...servers, ...extra].map((r) => r.d.toLowerCase()))];
}
