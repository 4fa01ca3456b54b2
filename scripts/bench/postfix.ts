// A private, loopback-only Postfix for the side-by-side benchmark
// (`postfix -c <dir>`): its own main.cf/master.cf, queue and data folders under
// one temp folder, smtpd on a free loopback port, every recipient of one
// virtual domain handed to the private Dovecot over LMTP. Nothing outside the
// folder is read or changed (no /etc/postfix, no aliases, no chroot). The master
// runs as root and its daemons as Debian's `postfix` user, as installed. Apart
// from what that needs, Postfix keeps its defaults (in_flow_delay, process
// limits, queue fsync), as the operator would run it.
import fs from 'node:fs';
import path from 'node:path';
import { onCleanup } from './cleanup.ts';
import { freePort } from './free-port.ts';
import { alive, processTree, runCommand, waitGone } from './processes.ts';

export const POSTFIX_BINARY = '/usr/sbin/postfix';
export const SMTP_SOURCE = '/usr/sbin/smtp-source';

export interface Postfix {
  version: string;
  smtpPort: number;
  masterPid: number;
  stop(): Promise<void>;
}

/** Why a private Postfix cannot run here, or null when it can. */
export function postfixUnavailable(): string | null {
  if (!fs.existsSync(POSTFIX_BINARY)) return `${POSTFIX_BINARY} not found (Debian package postfix)`;
  if (process.getuid?.() !== 0) return 'a private Postfix needs root to start (its daemons drop to the postfix user)';
  if (!fs.readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith('postfix:'))) return 'system user postfix is missing';
  return null;
}

// Only the services this instance uses, none chrooted.
const MASTER_CF = `# service type  private unpriv  chroot  wakeup  maxproc command
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

export async function startPostfix(options: { dir: string; domain: string; lmtpPort: number }): Promise<Postfix> {
  const dir = options.dir;
  const etc = path.join(dir, 'etc');
  const data = path.join(dir, 'data');
  for (const d of [etc, path.join(dir, 'spool'), data]) fs.mkdirSync(d, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const postfixUid = Number(/^postfix:[^:]*:(\d+):/m.exec(fs.readFileSync('/etc/passwd', 'utf8'))![1]);
  fs.chownSync(data, postfixUid, -1);
  const smtpPort = await freePort();
  fs.writeFileSync(
    path.join(etc, 'main.cf'),
    `# Private benchmark instance (scripts/bench/postfix.ts); Postfix defaults otherwise.
compatibility_level = 3.6
config_directory = ${etc}
queue_directory = ${dir}/spool
data_directory = ${data}
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.bench
mydomain = postfix.bench
myorigin = $mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
smtpd_banner = $myhostname ESMTP
# Every address of the domain is a mailbox; Dovecot's LMTP stores it.
virtual_mailbox_domains = ${options.domain}
virtual_mailbox_maps = static:ok
virtual_transport = lmtp:inet:127.0.0.1:${options.lmtpPort}
disable_dns_lookups = yes
smtp_dns_support_level = disabled
`,
  );
  fs.writeFileSync(path.join(etc, 'master.cf'), `127.0.0.1:${smtpPort} inet n - n - - smtpd\n${MASTER_CF}`);
  const version = (await runCommand('/usr/sbin/postconf', ['-c', etc, '-h', 'mail_version'])).stdout.trim();
  const pidFile = path.join(dir, 'spool', 'pid', 'master.pid');
  let masterPid = 0;
  const stop = onCleanup('postfix', async () => {
    if (!masterPid && fs.existsSync(pidFile)) masterPid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    if (!masterPid || !alive(masterPid)) return;
    const tree = processTree(masterPid);
    await runCommand(POSTFIX_BINARY, ['-c', etc, 'stop']);
    for (const pid of tree) await waitGone(pid, 5000);
  });
  const started = await runCommand(POSTFIX_BINARY, ['-c', etc, 'start']);
  if (started.code !== 0 || !fs.existsSync(pidFile)) {
    const log = fs.existsSync(path.join(dir, 'maillog')) ? fs.readFileSync(path.join(dir, 'maillog'), 'utf8').split('\n').slice(-10).join('\n') : '';
    throw new Error(`postfix did not start (exit ${started.code}): ${started.stderr}\n${log}`);
  }
  masterPid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  return { version, smtpPort, masterPid, stop };
}

export interface SmtpSourceRun {
  ms: number;
  perSecond: number;
}

/** `smtp-source -s <sessions> -m <messages> -l <size>` against a port; wall time until it exits. */
export async function runSmtpSource(options: { port: number; sessions: number; messages: number; size: number; from: string; to: string; helo: string }): Promise<SmtpSourceRun> {
  const args = ['-s', String(options.sessions), '-m', String(options.messages), '-l', String(options.size), '-f', options.from, '-t', options.to, '-M', options.helo, `127.0.0.1:${options.port}`];
  const started = process.hrtime.bigint();
  const result = await runCommand(SMTP_SOURCE, args);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.code !== 0) throw new Error(`smtp-source ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return { ms, perSecond: options.messages / (ms / 1000) };
}
