// Runs Debian's pebble (a real ACME server) on loopback for a test: its own
// HTTPS certificate (trusted through HERON_ACME_CA_FILE), HTTP-01 validation
// against a given port, names resolved by a loopback DNS server.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { generateSelfSigned } from '../../certs/self-signed.ts';
import { WAIT_MS, within } from '../helpers/deadline.ts';

export interface Pebble {
  directoryUrl: string;
  /** PEM of the certificate pebble's HTTPS presents (trust it as a CA). */
  caFile: string;
  /** Pebble's issuing root, generated at each launch. */
  root(): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Pebble's ports and TLS material, chosen before Heron starts (Heron needs the directory URL). */
export async function preparePebble(dir: string) {
  const tlsCert = generateSelfSigned('localhost', ['127.0.0.1']);
  const caFile = path.join(dir, 'pebble-cert.pem');
  const keyFile = path.join(dir, 'pebble-key.pem');
  fs.writeFileSync(caFile, tlsCert.certificatePem);
  fs.writeFileSync(keyFile, tlsCert.privateKeyPem);
  const port = await freePort();
  const managementPort = await freePort();
  return { dir, caFile, keyFile, port, managementPort, directoryUrl: `https://127.0.0.1:${port}/dir` };
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, signal: AbortSignal.timeout(WAIT_MS) }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

export async function startPebble(
  prepared: Awaited<ReturnType<typeof preparePebble>>,
  options: { httpPort: number; dnsServer: string },
): Promise<Pebble> {
  const configFile = path.join(prepared.dir, 'pebble-config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${prepared.port}`,
        managementListenAddress: `127.0.0.1:${prepared.managementPort}`,
        certificate: prepared.caFile,
        privateKey: prepared.keyFile,
        httpPort: options.httpPort,
        tlsPort: await freePort(),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const child: ChildProcess = spawn('/usr/bin/pebble', ['-config', configFile, '-dnsserver', options.dnsServer], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ca = fs.readFileSync(prepared.caFile, 'utf8');
  // Wait until the directory answers (pebble takes a moment to generate its CA).
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`pebble exited: ${output}`);
    try {
      if ((await get(prepared.directoryUrl, ca)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (attempt > 200) throw new Error(`pebble did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    directoryUrl: prepared.directoryUrl,
    caFile: prepared.caFile,
    async root() {
      return (await get(`https://127.0.0.1:${prepared.managementPort}/roots/0`, ca)).body;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await within(exited, WAIT_MS, 'pebble to exit after SIGTERM').catch(() => child.kill('SIGKILL'));
      }
    },
  };
}
