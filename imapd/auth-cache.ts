// A short-lived memory of successful logins, like Dovecot's auth_cache: sync
// clients log in again and again, and each scrypt check costs tens of
// milliseconds of CPU. An entry is keyed by the account, its stored password
// hash and an HMAC of the password under a per-process key, so a changed
// password (new hash) misses at once and no password is kept in memory.
// Failures are never cached: they go through the full check and the throttle.
import crypto from 'node:crypto';
import { findMailAccount, type MailAccountRow, type Store, verifyMailAccountLogin } from '../schema/index.ts';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

export class LoginCache {
  private readonly key = crypto.randomBytes(32);
  private readonly entries = new Map<string, number>();

  private entryKey(account: MailAccountRow, password: string): string {
    const mac = crypto.createHmac('sha256', this.key).update(password).digest('base64');
    return `${account.id}\0${account.password_hash}\0${mac}`;
  }

  async verify(store: Store, username: string, password: string, at = Date.now()): Promise<MailAccountRow | null> {
    const account = await findMailAccount(store, username);
    if (account) {
      const key = this.entryKey(account, password);
      const expires = this.entries.get(key);
      if (expires !== undefined && expires > at) return account;
      this.entries.delete(key);
    }
    const verified = await verifyMailAccountLogin(store, username, password);
    if (verified) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(this.entryKey(verified, password), at + TTL_MS);
    }
    return verified;
  }
}
