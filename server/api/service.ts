// The admin API as a Service.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Service } from '../service.ts';
import { httpListenerState, listen } from '../listen.ts';
import { type ApiDeps, createApiApp } from './app.ts';

export function apiService(deps: ApiDeps & { bind: string; port: number }): Service & { port(): number } {
  let server: http.Server | null = null;
  let boundPort = 0;
  const sockets = new Set<Socket>();
  return {
    name: 'api',
    async start() {
      server = http.createServer(createApiApp(deps).callback());
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      boundPort = await listen(server, deps.port, deps.bind, 'admin API');
    },
    async stop() {
      if (!server) return;
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; then connections are cut.
      const timer = setTimeout(() => sockets.forEach((s) => s.destroy()), 5000);
      await closing;
      clearTimeout(timer);
      server = null;
    },
    describe: () => [`admin API   http://${deps.bind}:${boundPort}`],
    port: () => boundPort,
    listeners: () => [httpListenerState('api', deps.bind, boundPort)],
  };
}
