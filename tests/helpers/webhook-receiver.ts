// A real HTTP server on loopback that receives Heron's webhook POSTs: it keeps
// every request (headers, raw body, parsed JSON), and can answer 200, answer
// an error status, hold requests without answering, or be down (its port closed).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { eventually, within, WAIT_MS } from './deadline.ts';

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  raw: string;
  // The parsed JSON payload.
  body: any;
}

/** Bodies above this are refused: Heron's payloads are small. */
const MAX_BODY = 1024 * 1024;

export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  /** ok: 200; status: answer `status`; hold: read the request and never answer. */
  mode: 'ok' | 'status' | 'hold' = 'ok';
  status = 503;
  /** Requests seen in `hold` mode (their bodies), answered by nobody. */
  readonly held: ReceivedHook[] = [];
  private readonly sockets = new Set<Socket>();
  private server: http.Server;
  port = 0;

  private constructor() {
    this.server = this.makeServer();
  }

  static async start(): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    await r.listen(0);
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  private makeServer(): http.Server {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        const hook = { headers: req.headers, raw, body };
        if (this.mode === 'hold') {
          this.held.push(hook);
          return;
        }
        if (this.mode === 'status') {
          res.writeHead(this.status).end('not now');
          return;
        }
        this.received.push(hook);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return within(
      new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(port, '127.0.0.1', () => {
          this.port = (this.server.address() as AddressInfo).port;
          resolve();
        });
      }),
      WAIT_MS,
      'webhook receiver listening',
    );
  }

  /** Closes the port (connections are refused) and drops open connections. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await within(new Promise<void>((resolve) => this.server.close(() => resolve())), WAIT_MS, 'webhook receiver closed');
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.server = this.makeServer();
    await this.listen(this.port);
  }

  /** Received hooks of `event` (in arrival order). */
  of(event: string): ReceivedHook[] {
    return this.received.filter((h) => h.body?.event === event);
  }

  /** Waits until a received hook matches. */
  waitFor(match: (hook: ReceivedHook) => boolean, what: string): Promise<ReceivedHook> {
    return eventually(() => this.received.find(match), () => `${what}; received ${JSON.stringify(this.received.map((h) => h.body?.event))}`);
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.down();
  }
}
