// Binding a server with a clear error when the port is taken, and the peer
// address that per-address limits count by.
import type net from 'node:net';
import type { ListenerState } from './service.ts';

export class ListenError extends Error {}

export function listen(server: net.Server, port: number, host: string, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const reason =
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use`
          : err.code === 'EACCES'
            ? `no permission to bind port ${port} on ${host}`
            : err.code === 'EADDRNOTAVAIL'
              ? `address ${host} is not available on this machine`
              : err.message;
      reject(new ListenError(`${label}: cannot listen: ${reason}`));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** A plain-HTTP listener's state for the console's overview. */
export function httpListenerState(name: string, address: string, port: number): ListenerState {
  return { name, protocol: 'http', address, port, tls: 'none', listening: port > 0, error: port > 0 ? null : 'not started' };
}

/** The client's address; IPv4-mapped IPv6 (dual-stack listeners) written as IPv4, so both count as one. */
export function clientAddress(socket: net.Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
