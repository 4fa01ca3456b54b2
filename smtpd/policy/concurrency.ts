// Connection limits: max_clients per listener, sessions per client address
// across all listeners, and sessions on all listeners together (the descriptor
// budget's SMTP part). Over any limit a new connection gets 421 4.7.0.
import { smtpError } from '../enhanced-codes.ts';

export class ConnectionCounter {
  private readonly sessions = new Map<string, string>(); // session id -> client address
  private readonly perAddress = new Map<string, number>();

  get size(): number {
    return this.sessions.size;
  }

  countFor(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  add(sessionId: string, address: string): void {
    this.sessions.set(sessionId, address);
    this.perAddress.set(address, this.countFor(address) + 1);
  }

  remove(sessionId: string): void {
    const address = this.sessions.get(sessionId);
    if (address === undefined) return;
    this.sessions.delete(sessionId);
    const left = this.countFor(address) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
  }
}

/** Admits a session or throws the 421 that refuses it. */
export function admit(
  listener: ConnectionCounter,
  global: ConnectionCounter,
  limits: { maxClients: number; maxPerClient: number; maxTotal: number },
  sessionId: string,
  address: string,
): void {
  if (listener.size >= limits.maxClients || global.size >= limits.maxTotal) throw smtpError(421, '4.7.0', 'Too many connections, try again later');
  if (global.countFor(address) >= limits.maxPerClient) throw smtpError(421, '4.7.0', `Too many connections from ${address}, try again later`);
  listener.add(sessionId, address);
  global.add(sessionId, address);
}
