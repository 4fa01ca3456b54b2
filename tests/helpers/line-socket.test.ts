// The raw test clients (IMAP, SMTP, HTTP) fail on silence instead of hanging, and say what they got.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { RawClient } from '../imap/raw-client.ts';
import { RawSmtp } from '../smtp/client.ts';
import { DeadlineError, nextEvent, within } from './deadline.ts';
import { rawRequest } from './raw-http.ts';

// A server that greets with half a line, then never says anything again.
let server: net.Server;
let port: number;
const sockets: net.Socket[] = [];
before(async () => {
  server = net.createServer((socket) => {
    sockets.push(socket);
    socket.write('220 half a greet');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
after(() => {
  for (const s of sockets) s.destroy();
  server.close();
});

test('a reply that never completes fails with what was received', async () => {
  const c = await RawSmtp.connect(port);
  try {
    await assert.rejects(c.reply({ ms: 300 }), (err: Error) => {
      assert.ok(err instanceof DeadlineError);
      assert.match(err.message, /no reply for 300 ms waiting for an SMTP reply; got: "220 half a greet"/);
      return true;
    });
  } finally {
    c.close();
  }
});

test('waiting for a close that never comes fails', async () => {
  const c = await RawSmtp.connect(port);
  c.waitMs = 300;
  try {
    await assert.rejects(c.readUntil(() => c.isClosed, { what: 'the close' }), /no reply for 300 ms waiting for the close/);
  } finally {
    c.close();
  }
});

test('a greeting that never ends fails the IMAP client too', async () => {
  const silent = net.createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const connecting = RawClient.connect((silent.address() as net.AddressInfo).port, { waitMs: 300 });
    await assert.rejects(connecting, /no reply for 300 ms waiting for the greeting; got: ""/);
  } finally {
    silent.close();
  }
});

test('within and nextEvent reject late results and pass on timely ones', async () => {
  await assert.rejects(within(new Promise(() => undefined), 50, 'answer'), /no answer within 50 ms/);
  assert.equal(await within(Promise.resolve(7), 50, 'answer'), 7);
  const emitter = new (await import('node:events')).EventEmitter();
  const later = nextEvent<number>(emitter, 'x', 'event x', 5000);
  emitter.emit('x', 3);
  assert.equal(await later, 3);
  assert.equal(emitter.listenerCount('x'), 0);
  await assert.rejects(nextEvent(emitter, 'y', 'event y', 50), /no event y within 50 ms/);
  assert.equal(emitter.listenerCount('y'), 0);
});

test('an HTTP request whose body the server never reads, and never answers, ends after the silence', async () => {
  const deaf = net.createServer((socket) => {
    sockets.push(socket);
    socket.pause(); // reads nothing: the client's writes fill the buffers and wait for 'drain'
  });
  await new Promise<void>((resolve) => deaf.listen(0, '127.0.0.1', resolve));
  try {
    const body = 64 * 1024 * 1024;
    const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body}\r\n\r\n`;
    const out = await within(rawRequest((deaf.address() as net.AddressInfo).port, head, body, { silenceMs: 300 }), 10_000, 'end of the exchange');
    assert.equal(out.closed, true);
    assert.equal(out.received, '');
    assert.ok(out.sent > 0 && out.sent < body, `stopped while sending (${out.sent} bytes)`);
  } finally {
    deaf.close();
  }
});
