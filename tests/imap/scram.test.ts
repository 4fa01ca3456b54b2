// AUTHENTICATE SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 7677, RFC 5802) over
// real TLS: RFC 7677 §3's test vector, full exchanges with a client written
// here from the RFC (both channel bindings, with and without SASL-IR), GNU
// SASL's gsasl as an independent client, and the edge cases.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { makeScramVerifier, parseClientFinal, parseClientFirst, proofMatches, serverSignature } from '../../schema/sasl/scram.ts';
import { ScramExchange, ScramRefused, ScramSyntaxError, scramCredentials, setMailAccountPassword } from '../../schema/index.ts';
import { base64, clientBinding, gsasl, ScramClient, trustedCertificateFile, unbase64 } from '../helpers/scram-client.ts';
import { DEADLINE, PASSWORD, useImap } from './fixture.ts';
import { RawClient } from './raw-client.ts';


describe('SCRAM-SHA-256 functions (RFC 7677 §3 test vector)', () => {
  const clientFirst = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
  const serverFinal = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

  test('the verifier of "pencil" accepts the RFC proof and gives the RFC server signature', async () => {
    const verifier = (await makeScramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096))!;
    const first = parseClientFirst(clientFirst);
    assert.deepEqual([first.gs2Header, first.username, first.nonce, first.bare], ['n,,', 'user', 'rOprNGfwEbeRWgbNEkqO', 'n=user,r=rOprNGfwEbeRWgbNEkqO']);
    const final = parseClientFinal(clientFinal);
    assert.equal(final.channelBinding.toString(), 'n,,');
    const authMessage = `${first.bare},${serverFirst},${final.withoutProof}`;
    assert.ok(proofMatches(verifier, authMessage, final.proof));
    assert.equal(`v=${serverSignature(verifier.serverKey, authMessage).toString('base64')}`, serverFinal);
    const wrong = (await makeScramVerifier('pencils', verifier.salt, 4096))!;
    assert.ok(!proofMatches(wrong, authMessage, final.proof), 'another password fails');
  });

  test("the tests' own client produces the RFC's messages", () => {
    const client = new ScramClient('user', 'pencil', { nonce: 'rOprNGfwEbeRWgbNEkqO' });
    assert.equal(client.first(), clientFirst);
    assert.equal(client.final(serverFirst), clientFinal);
    assert.ok(client.serverValid(serverFinal));
  });

  test('saslnames: =2C and =3D decode, any other "=" is refused', () => {
    assert.equal(parseClientFirst('n,a=x=3Dy=2Cz,n=x=3Dy=2Cz,r=abc').username, 'x=y,z');
    assert.throws(() => parseClientFirst('n,,n=bad=41,r=abc'));
    assert.throws(() => parseClientFirst('n,,n=u,r=a,b'), 'a nonce cannot contain a comma beyond the attribute list');
    assert.throws(() => parseClientFirst('n,,m=ext,n=u,r=abc'), 'mandatory extension');
    assert.throws(() => parseClientFirst('x,,n=u,r=abc'), 'bad gs2 flag');
  });

  test('any bytes as client messages: a parse, a syntax error or a refusal, never anything else', () => {
    const piece = fc.constantFrom('n', 'y', 'p=tls-exporter', 'p=', 'a=', 'n=', 'r=', 'c=', 'p=', 'm=', '=2C', '=3D', '=', ',', ',,', 'biws', '\0', 'é');
    const message = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.array(fc.oneof(piece, fc.string({ maxLength: 8 })), { maxLength: 12 }).map((p) => Buffer.from(p.join(''))));
    fc.assert(
      fc.property(message, message, fc.boolean(), (first, final, plus) => {
        const exchange = new ScramExchange<number>(plus ? 'SCRAM-SHA-256-PLUS' : 'SCRAM-SHA-256', { plusAdvertised: true, bindingData: () => Buffer.alloc(32, 1) });
        try {
          exchange.begin(first);
          exchange.challenge({ salt: Buffer.alloc(16), iterations: 4096, storedKey: Buffer.alloc(32), serverKey: Buffer.alloc(32), account: 1 });
          exchange.receiveFinal(final);
          assert.equal(exchange.verify(), null, 'no random message proves anything');
        } catch (err) {
          if (!(err instanceof ScramSyntaxError || err instanceof ScramRefused)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});


/** The next line from the server (a continuation or a tagged reply). */
async function nextLine(c: RawClient): Promise<string> {
  await c.readUntil((b) => b.includes('\r\n'), { what: 'a continuation or tagged reply' });
  const all = c.take();
  const cut = all.indexOf('\r\n');
  // Anything after the first line stays unread: put it back.
  (c as unknown as { buffer: string }).buffer = all.slice(cut + 2);
  return all.slice(0, cut);
}

interface Exchange {
  /** The tagged reply (or the line where the exchange stopped). */
  reply: string;
  serverFirst?: string;
  serverValid?: boolean;
}

/** One AUTHENTICATE exchange; `tamper` alters the client-final message. */
async function scram(
  c: RawClient,
  client: ScramClient,
  options: { mechanism?: string; initialResponse?: boolean; tamper?: { nonce?: string; binding?: Buffer } } = {},
): Promise<Exchange> {
  const mechanism = options.mechanism ?? 'SCRAM-SHA-256';
  if (options.initialResponse ?? true) c.write(`s AUTHENTICATE ${mechanism} ${base64(client.first())}\r\n`);
  else {
    c.write(`s AUTHENTICATE ${mechanism}\r\n`);
    assert.equal(await nextLine(c), '+ ');
    c.write(`${base64(client.first())}\r\n`);
  }
  const challenge = await nextLine(c);
  if (!challenge.startsWith('+ ')) return { reply: challenge };
  const serverFirst = unbase64(challenge.slice(2));
  c.write(`${base64(client.final(serverFirst, options.tamper))}\r\n`);
  const last = await nextLine(c);
  if (!last.startsWith('+ ')) return { reply: last, serverFirst };
  const serverValid = client.serverValid(unbase64(last.slice(2)));
  c.write('\r\n');
  return { reply: await c.waitTagged('s'), serverFirst, serverValid };
}

describe('IMAP AUTHENTICATE SCRAM-SHA-256', DEADLINE, () => {
  const imap = useImap();
  const tls = (localAddress?: string) => RawClient.connect(imap().heron.ports.imaps, { tls: true, localAddress });

  async function starttls(c: RawClient): Promise<void> {
    assert.match(await c.command('t', 'STARTTLS'), /^t OK/m);
    await c.startTls();
  }

  test('capabilities: no SCRAM before STARTTLS, both mechanisms after it and on port 993', async () => {
    const plain = await imap().connect();
    assert.doesNotMatch(plain.greeting, /SCRAM/);
    const noTls = await scram(plain, new ScramClient('x@heron.test', 'x'));
    assert.match(noTls.reply, /^s NO \[PRIVACYREQUIRED\]/, 'SCRAM is refused before STARTTLS');
    await starttls(plain);
    assert.match(await plain.command('c', 'CAPABILITY'), /AUTH=PLAIN AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS/);
    const implicit = await tls();
    assert.match(implicit.greeting, /AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS/);
    implicit.close();
  });

  test('SCRAM-SHA-256 with SASL-IR: OK, the server proves itself, and the session is authenticated', async () => {
    const { user } = await imap().account();
    const c = await tls();
    const out = await scram(c, new ScramClient(user, PASSWORD));
    assert.match(out.reply, /^s OK \[CAPABILITY [^\]]*\] Logged in/m);
    assert.equal(out.serverValid, true);
    assert.match(out.serverFirst!, /^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$/);
    assert.match(await c.command('x', 'SELECT INBOX'), /^x OK \[READ-WRITE\]/m);
    c.close();
  });

  for (const type of ['tls-exporter', 'tls-server-end-point'] as const) {
    test(`SCRAM-SHA-256-PLUS with ${type}, without an initial response, after STARTTLS`, async () => {
      const { user } = await imap().account();
      const c = await imap().connect();
      await starttls(c);
      const client = new ScramClient(user, PASSWORD, { binding: { flag: 'p', type, data: clientBinding(c.tlsSocket, type) } });
      const out = await scram(c, client, { mechanism: 'SCRAM-SHA-256-PLUS', initialResponse: false });
      assert.match(out.reply, /^s OK /m);
      assert.equal(out.serverValid, true);
    });

    test(`a channel binding that is not this connection's (${type}) fails like a wrong password`, async () => {
      const { user } = await imap().account();
      const c = await tls();
      const other = await tls();
      const client = new ScramClient(user, PASSWORD, { binding: { flag: 'p', type, data: clientBinding(c.tlsSocket, type) } });
      // The other connection's data (a man in the middle would have that), or one flipped byte.
      const tampered = type === 'tls-exporter' ? clientBinding(other.tlsSocket, type) : Buffer.from(crypto.randomBytes(32));
      const out = await scram(c, client, { mechanism: 'SCRAM-SHA-256-PLUS', tamper: { binding: tampered } });
      assert.match(out.reply, /^s NO \[AUTHENTICATIONFAILED\]/m);
      other.close();
    });
  }

  test('wrong password and wrong nonce: NO [AUTHENTICATIONFAILED], and the session can still log in', async () => {
    const { user } = await imap().account();
    const c = await tls();
    assert.match((await scram(c, new ScramClient(user, 'not the password'))).reply, /^s NO \[AUTHENTICATIONFAILED\]/);
    assert.match((await scram(c, new ScramClient(user, PASSWORD), { tamper: { nonce: 'forged-nonce' } })).reply, /^s NO \[AUTHENTICATIONFAILED\]/);
    assert.match((await scram(c, new ScramClient(user, PASSWORD))).reply, /^s OK /m);
  });

  test('an unknown user gets a salt like a real one, the same each time, and fails like a wrong password', async () => {
    const c = await tls();
    const ghost = 'nobody-here@heron.test';
    const a = await scram(c, new ScramClient(ghost, PASSWORD));
    const b = await scram(c, new ScramClient(ghost, 'other'));
    assert.match(a.reply, /^s NO \[AUTHENTICATIONFAILED\] Invalid credentials/);
    assert.equal(a.reply.replace(/^s /, ''), b.reply.replace(/^s /, ''));
    const salt = (first: string) => first.split(',')[1];
    assert.equal(salt(a.serverFirst!), salt(b.serverFirst!), 'a deterministic decoy salt');
    assert.match(a.serverFirst!, /^r=[^,]+,s=[A-Za-z0-9+/]{22}==,i=4096$/, 'the same form as a real salt');
    const { user } = await imap().account();
    const real = await scram(c, new ScramClient(user, 'wrong'));
    assert.equal(real.reply, a.reply, 'the same reply as a wrong password for a real account');
    assert.equal(real.serverFirst!.split(',')[1].length, salt(a.serverFirst!).length);
  });

  test('a password set before SCRAM: fails until the next PLAIN login, which stores the verifier', async () => {
    const { heron } = imap();
    const { user, id } = await imap().account();
    await heron.store.run(`DELETE FROM mail_account_scram WHERE mail_account_id = ?`, id);
    assert.equal((await scramCredentials(heron.store, user)).account, null, 'a decoy until then');
    const c = await tls();
    assert.match((await scram(c, new ScramClient(user, PASSWORD))).reply, /^s NO \[AUTHENTICATIONFAILED\]/);
    const plain = await tls();
    assert.match(await plain.command('p', `AUTHENTICATE PLAIN ${base64(`\0${user}\0${PASSWORD}`)}`), /^p OK/m);
    const row = await heron.store.get<{ iterations: number; salt: string }>(`SELECT iterations, salt FROM mail_account_scram WHERE mail_account_id = ?`, id);
    assert.equal(row?.iterations, 4096);
    assert.match((await scram(c, new ScramClient(user, PASSWORD))).reply, /^s OK /m);
    plain.close();
  });

  test('a password change replaces the verifier: the new password works, the old one fails', async () => {
    const { user, id } = await imap().account();
    await setMailAccountPassword(imap().heron.store, id, 'a new, longer password');
    const c = await tls();
    assert.match((await scram(c, new ScramClient(user, PASSWORD))).reply, /^s NO \[AUTHENTICATIONFAILED\]/);
    assert.match((await scram(c, new ScramClient(user, 'a new, longer password'))).reply, /^s OK /m);
    const stored = await imap().heron.store.get<Record<string, unknown>>(`SELECT * FROM mail_account_scram WHERE mail_account_id = ?`, id);
    assert.ok(!JSON.stringify(stored).includes('longer password'), 'no password is stored');
  });

  test('downgrades and mismatched channel binding flags are refused', async () => {
    const { user } = await imap().account();
    const c = await tls();
    const data = clientBinding(c.tlsSocket, 'tls-exporter');
    // RFC 5802 §6: "y" while the server offered -PLUS means the list was tampered with.
    assert.match((await scram(c, new ScramClient(user, PASSWORD, { binding: { flag: 'y' } }))).reply, /^s NO \[AUTHENTICATIONFAILED\] server does support channel binding/);
    // p= is for -PLUS only, and -PLUS needs p=.
    assert.match((await scram(c, new ScramClient(user, PASSWORD, { binding: { flag: 'p', type: 'tls-exporter', data } }))).reply, /^s NO /);
    assert.match((await scram(c, new ScramClient(user, PASSWORD), { mechanism: 'SCRAM-SHA-256-PLUS' })).reply, /^s NO /);
    // A binding type this server does not offer.
    assert.match((await scram(c, new ScramClient(user, PASSWORD, { binding: { flag: 'p', type: 'tls-unique', data } }), { mechanism: 'SCRAM-SHA-256-PLUS' })).reply, /^s NO .*unsupported channel binding type/);
    // Acting as someone else.
    assert.match((await scram(c, new ScramClient(user, PASSWORD, { authzid: 'postmaster@heron.test' }))).reply, /^s NO /);
    assert.match((await scram(c, new ScramClient(user, PASSWORD, { authzid: user }))).reply, /^s OK /m, 'authzid equal to the user is fine');
  });

  test('"*" cancels at either step with BAD; garbage and oversized messages get BAD; the session stays usable', async () => {
    const { user } = await imap().account();
    const c = await tls();
    c.write('a AUTHENTICATE SCRAM-SHA-256\r\n');
    assert.equal(await nextLine(c), '+ ');
    c.write('*\r\n');
    assert.match(await c.waitTagged('a'), /^a BAD Authentication cancelled/m);
    const client = new ScramClient(user, PASSWORD);
    c.write(`b AUTHENTICATE SCRAM-SHA-256 ${base64(client.first())}\r\n`);
    assert.match(await nextLine(c), /^\+ \S+$/);
    c.write('*\r\n');
    assert.match(await c.waitTagged('b'), /^b BAD Authentication cancelled/m);
    for (const bad of ['%%%notbase64', base64('garbage'), base64('n,,n=user'), base64(`n,,n=user,r=${'x'.repeat(3000)}`), base64('n,,n=u\0x,r=abc'), base64(Buffer.from([0xff, 0xfe, 0x2c]))]) {
      assert.match(await c.command('g', `AUTHENTICATE SCRAM-SHA-256 ${bad}`), /^g BAD /m, bad.slice(0, 40));
    }
    // A garbage client-final message.
    c.write(`h AUTHENTICATE SCRAM-SHA-256 ${base64(client.first())}\r\n`);
    assert.match(await nextLine(c), /^\+ /);
    c.write(`${base64('c=biws,r=x')}\r\n`);
    assert.match(await c.waitTagged('h'), /^h BAD /m);
    assert.match((await scram(c, new ScramClient(user, PASSWORD))).reply, /^s OK /m);
  });

  test('SCRAM failures count in the sign-in throttle like PLAIN failures', async () => {
    const { user } = await imap().account();
    const { user: other } = await imap().account();
    const c = await tls('127.0.0.41');
    const replies: string[] = [];
    for (let i = 0; i < 10; i++) replies.push((await scram(c, new ScramClient(user, `guess ${i}`))).reply);
    assert.deepEqual(
      replies.map((r) => /NO \[AUTHENTICATIONFAILED\]/.test(r)),
      Array(10).fill(true),
    );
    // The address is now over its limit, for SCRAM and for PLAIN/LOGIN alike, even with the right password.
    assert.match((await scram(c, new ScramClient(user, PASSWORD))).reply, /^s NO \[UNAVAILABLE\]/);
    assert.match(await c.command('l', `LOGIN ${other} "${PASSWORD}"`), /^l NO \[UNAVAILABLE\]/m);
    // The owner, from another address, is not locked out.
    const owner = await tls('127.0.0.42');
    assert.match((await scram(owner, new ScramClient(user, PASSWORD))).reply, /^s OK /m);
  });

  test('GNU SASL (gsasl --imap) logs in with SCRAM-SHA-256-PLUS (tls-exporter) and SCRAM-SHA-256', async () => {
    const { user } = await imap().account();
    const ca = await trustedCertificateFile(imap().heron.ports.imaps);
    const login = (mechanism: string, password: string, extra: string[] = []) =>
      gsasl(['--imap', '--starttls', `--x509-ca-file=${ca.file}`, '--hostname=heron.test', '--connect', `127.0.0.1:${imap().heron.ports.imap}`, '-m', mechanism, '-a', user, '-p', password, '--verbose', '--no-client-first', ...extra]);
    try {
      const plus = await login('SCRAM-SHA-256-PLUS', PASSWORD);
      assert.ok(plus.ok, plus.out);
      assert.match(plus.out, /AUTHENTICATE SCRAM-SHA-256-PLUS[\s\S]*\r?\n\. OK \[CAPABILITY [^\]]*\] Logged in/);
      // Its client-first-message asked for tls-exporter (TLS 1.3), and Heron's signature satisfied it.
      const first = /^\+ \r?\n([A-Za-z0-9+/=]+)\r?$/m.exec(plus.out);
      assert.ok(first, plus.out);
      assert.match(unbase64(first[1]), /^p=tls-exporter,,n=/);
      const nocb = await login('SCRAM-SHA-256', PASSWORD, ['--no-cb']);
      assert.ok(nocb.ok, nocb.out);
      assert.match(nocb.out, /\. OK \[CAPABILITY [^\]]*\] Logged in/);
      const wrong = await login('SCRAM-SHA-256-PLUS', 'wrong password');
      assert.match(wrong.out, /\. NO \[AUTHENTICATIONFAILED\]/);
    } finally {
      ca.remove();
    }
  });
});

describe('IMAP AUTHENTICATE SCRAM-SHA-256 where plaintext AUTH is allowed', DEADLINE, () => {
  const imap = useImap({ HERON_ALLOW_PLAINTEXT_AUTH: 'true' });

  test('plaintext offers AUTH=PLAIN only and refuses SCRAM; after STARTTLS it works', async () => {
    const { user } = await imap().account();
    const c = await imap().connect();
    assert.match(c.greeting, /AUTH=PLAIN/);
    assert.doesNotMatch(c.greeting, /SCRAM/);
    assert.match((await scram(c, new ScramClient(user, PASSWORD))).reply, /^s NO \[PRIVACYREQUIRED\]/);
    assert.match(await c.command('t', 'STARTTLS'), /^t OK/m);
    await c.startTls();
    assert.match((await scram(c, new ScramClient(user, PASSWORD))).reply, /^s OK /m);
  });
});
