// A private, loopback-only Dovecot for the side-by-side benchmark: its own
// config file, base_dir, state and mail folders under one temp folder, IMAP over
// implicit TLS and LMTP (for the private Postfix) on free loopback ports.
// Nothing outside that folder is read or changed (the config includes nothing
// from /etc/dovecot). It runs as Debian installs it: the master as root, login
// processes as `dovenull`, internal ones as `dovecot`, mail as `nobody`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSelfSigned } from '../../certs/self-signed.ts';
import { onCleanup } from './cleanup.ts';
import { freePort } from './free-port.ts';
import { alive, processTree, runCommand, waitGone } from './processes.ts';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';
/** Owner of the mailboxes (Debian's `nobody`): an unprivileged uid Dovecot accepts for mail. */
export const MAIL_UID = 65534;
export const MAIL_GID = 65534;

export interface Dovecot {
  version: string;
  imapsPort: number;
  lmtpPort: number;
  masterPid: number;
  /** Maildir of a user@domain. */
  maildir(user: string): string;
  /** Pids of the master and every child (login, imap, lmtp, auth…). */
  pids(): number[];
  stop(): Promise<void>;
}

/** Why a private Dovecot cannot run here, or null when it can. */
export function dovecotUnavailable(): string | null {
  if (!fs.existsSync(DOVECOT_BINARY)) return `${DOVECOT_BINARY} not found (Debian package dovecot-imapd, plus dovecot-lmtpd for Postfix delivery)`;
  if (process.getuid?.() !== 0) return 'a private Dovecot needs root to start (it drops to dovecot/dovenull/nobody itself)';
  for (const user of ['dovecot', 'dovenull']) {
    if (!fs.readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith(`${user}:`))) return `system user ${user} is missing (created by the dovecot-core package)`;
  }
  return null;
}

export async function startDovecot(options: { dir: string; users: string[]; password: string }): Promise<Dovecot> {
  const dir = options.dir;
  for (const sub of ['run', 'state', 'mail']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.chmodSync(dir, 0o755);
  fs.chownSync(path.join(dir, 'mail'), MAIL_UID, MAIL_GID);
  const cert = generateSelfSigned('dovecot.bench', ['localhost', '127.0.0.1'], 2);
  fs.writeFileSync(path.join(dir, 'cert.pem'), cert.certificatePem);
  fs.writeFileSync(path.join(dir, 'key.pem'), cert.privateKeyPem, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'users'), options.users.map((u) => `${u}:{PLAIN}${options.password}\n`).join(''), { mode: 0o644 });
  const imapsPort = await freePort();
  const lmtpPort = await freePort();
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(
    conf,
    `# Private benchmark instance (scripts/bench/dovecot.ts); defaults otherwise.
protocols = imap lmtp
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = heron-bench-${path.basename(dir)}
log_path = ${dir}/dovecot.log
info_log_path = /dev/null
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
ssl = required
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_GID} home=${dir}/mail/%d/%n
}
mail_location = maildir:~/Maildir
# The benchmark's clients all log in as one user from 127.0.0.1 (default 10).
mail_max_userip_connections = 100000
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imapsPort}
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
`,
  );
  const version = (await runCommand(DOVECOT_BINARY, ['--version'])).stdout.trim();
  const pidFile = path.join(dir, 'run', 'master.pid');
  let masterPid = 0;
  const stop = onCleanup('dovecot', async () => {
    if (!masterPid && fs.existsSync(pidFile)) masterPid = Number(fs.readFileSync(pidFile, 'utf8'));
    if (!masterPid || !alive(masterPid)) return;
    const tree = processTree(masterPid);
    process.kill(masterPid, 'SIGTERM');
    for (const pid of tree) await waitGone(pid, 5000);
  });
  const started = await runCommand(DOVECOT_BINARY, ['-c', conf]);
  if (started.code !== 0) throw new Error(`dovecot did not start: ${started.stderr}${readLog(dir)}`);
  const until = Date.now() + 10_000;
  while (!fs.existsSync(pidFile)) {
    if (Date.now() > until) throw new Error(`dovecot wrote no pid file${readLog(dir)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  masterPid = Number(fs.readFileSync(pidFile, 'utf8'));
  return {
    version,
    imapsPort,
    lmtpPort,
    masterPid,
    maildir: (user) => {
      const [local, domain] = user.split('@');
      return path.join(dir, 'mail', domain, local, 'Maildir');
    },
    pids: () => processTree(masterPid),
    stop,
  };
}

function readLog(dir: string): string {
  const file = path.join(dir, 'dovecot.log');
  return fs.existsSync(file) ? `\n${fs.readFileSync(file, 'utf8').split('\n').slice(-10).join('\n')}` : '';
}

/**
 * Writes messages straight into a Maildir's cur/ (what Dovecot would have
 * written), flags in the file name (RFC-less but documented Maildir "info":
 * `:2,FS`), then hands the folder to the mail uid. Dovecot indexes them on the
 * first SELECT.
 */
export function writeMaildir(maildir: string, count: number, message: (i: number) => { raw: string; flags: string[] }): void {
  for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(maildir, sub), { recursive: true });
  const letters: Record<string, string> = { '\\Draft': 'D', '\\Flagged': 'F', '\\Answered': 'R', '\\Seen': 'S', '\\Deleted': 'T' };
  const base = Math.floor(Date.now() / 1000) - count;
  const host = os.hostname().replace(/[/:]/g, '_');
  for (let i = 0; i < count; i++) {
    const { raw, flags } = message(i);
    const info = flags.map((f) => letters[f] ?? '').sort().join('');
    const name = `${base + i}.M${i}P${process.pid}.${host},S=${Buffer.byteLength(raw, 'latin1')}:2,${info}`;
    const file = path.join(maildir, 'cur', name);
    fs.writeFileSync(file, raw, 'latin1');
    // Dovecot takes the received date (INTERNALDATE) from the file's mtime.
    const t = base + i;
    fs.utimesSync(file, t, t);
  }
  const home = path.dirname(maildir);
  chownTree(home);
  // The domain folder too, so Dovecot (as the mail uid) can create the other users' homes in it.
  fs.chownSync(path.dirname(home), MAIL_UID, MAIL_GID);
}

function chownTree(dir: string): void {
  fs.chownSync(dir, MAIL_UID, MAIL_GID);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p);
    else fs.chownSync(p, MAIL_UID, MAIL_GID);
  }
}
