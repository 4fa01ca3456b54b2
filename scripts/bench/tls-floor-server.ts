// The least a TLS connection costs in this Node/OpenSSL, for `bench:large -- mem
// --floor` (issue 11 §3): a bare server that accepts as Heron's implicit-TLS
// listener does (a TCP server, each socket wrapped in a TLSSocket with the same
// kind of certificate), greets, and answers every line with one short line. No
// IMAP state, no store: what one idle connection costs here is the floor under
// Heron's per-session figure. Prints {"port":n} once listening.
import net from 'node:net';
import tls from 'node:tls';
import { generateSelfSigned } from '../../certs/self-signed.ts';

const generated = generateSelfSigned('heron.test');
const secureContext = tls.createSecureContext({ key: generated.privateKeyPem, cert: generated.certificatePem });
const open = new Set<tls.TLSSocket>();
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
  secure.on('error', () => secure.destroy());
  secure.once('secure', () => {
    open.add(secure);
    secure.on('close', () => open.delete(secure));
    secure.write('* OK ready\r\n');
    secure.on('data', (line: Buffer) => secure.write(`${line.toString('latin1').split(' ')[0]} OK done\r\n`));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as net.AddressInfo).port })}\n`));
