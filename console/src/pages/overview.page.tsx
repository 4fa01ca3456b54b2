// Overview (administrators): a getting-started checklist until the first
// account exists and a zone is published, then listeners, today's numbers, the
// queue by status and the latest events, all from GET /stats.
import { useEffect, useState } from 'preact/hooks';
import { action, get, list } from '../api.ts';
import { useLoad } from '../components/async.ts';
import { Busy, ErrorText, Loading } from '../components/feedback.tsx';
import { daysUntil, formatDate } from '../components/format.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { Table } from '../components/Table.tsx';
import type { DnsCheck, ListenerState, MailAccount, StatsAttributes } from '../types.ts';
import type { PageDef } from './page.ts';

type ZoneState = { kind: 'checking' } | { kind: 'error'; message: string } | { kind: 'done'; checks: DnsCheck[] };

function Checklist({ stats }: { stats: StatsAttributes }) {
  const accounts = useLoad(() => list<MailAccount>('mail_account', { 'page[size]': '500', fields: 'username' }), []);
  const [zone, setZone] = useState<ZoneState>({ kind: 'checking' });
  useEffect(() => {
    let current = true;
    action<{ data: Array<{ attributes: DnsCheck }> }>('/action/mail_server/check_dns').then(
      (r) => current && setZone({ kind: 'done', checks: r.data.map((d) => d.attributes) }),
      (err: Error) => current && setZone({ kind: 'error', message: err.message }),
    );
    return () => void (current = false);
  }, []);
  const people = accounts.data?.data.filter((a) => !a.attributes.username.startsWith('postmaster@')) ?? [];
  const published = zone.kind === 'done' ? zone.checks.filter((c) => c.summary.present === c.results.length) : [];
  const zoneDone = zone.kind === 'done' && published.length > 0;
  const accountDone = people.length > 0;
  const trusted = stats.listeners.some((l) => l.certificate && l.certificate.source !== 'self-signed' && l.certificate.source !== 'none');
  if (accounts.data && zoneDone && accountDone) return null;
  const mark = (done: boolean) => <span class={done ? 'ok' : 'todo'}>{done ? '✓ Done' : 'To do'}</span>;
  return (
    <section class="card checklist" aria-labelledby="start-title">
      <h2 id="start-title">Getting started</h2>
      <ol>
        <li>{mark(true)} Sign in as the administrator.</li>
        <li>
          {mark(accountDone)} <a href="/accounts?new=1">Create a mail account</a> for a person. They sign in here with it to read their set-up
          details and change the password.
        </li>
        <li>
          {zone.kind === 'checking' ? <Busy label="Checking the published DNS records…" /> : mark(zoneDone)}{' '}
          <a href={`/domains/${stats.hostname}`}>Publish the DNS records</a> of your domain at your DNS provider (copy them from the Domains page),
          then check them there.
          {zone.kind === 'done' && (
            <ul>
              {zone.checks.map((c) => (
                <li key={c.domain}>
                  <a href={`/domains/${c.domain}`}>{c.domain}</a>: {c.summary.present} of {c.results.length} records published
                </li>
              ))}
            </ul>
          )}
          <ErrorText error={zone.kind === 'error' ? zone.message : null} />
        </li>
        <li>
          {mark(trusted)} <a href="/certificates">Get a trusted certificate</a> (Let's Encrypt by ACME) so mail clients accept the connection.
        </li>
        <li>
          <a href="/me">Set up a mail client</a>: the host names, ports and TLS modes are on the My account page.
        </li>
      </ol>
      <ErrorText error={accounts.error} />
    </section>
  );
}

function listenerState(l: ListenerState) {
  if (l.listening) return <span class="ok">Listening</span>;
  return (
    <span class="bad">
      Not listening{l.error ? `: ${l.error}` : ''}
    </span>
  );
}

function certificateCell(l: ListenerState) {
  if (!l.certificate) return l.tls === 'none' ? 'no TLS' : 'none';
  const days = daysUntil(l.certificate.expires_at);
  const warn = days !== null && days < 14;
  return (
    <span class={warn ? 'bad' : undefined}>
      {l.certificate.source} · expires {formatDate(l.certificate.expires_at)}
      {days !== null ? ` (${days} days)` : ''}
    </span>
  );
}

const TLS_LABEL = { implicit: 'implicit TLS', starttls: 'STARTTLS', none: 'none' } as const;

function Overview() {
  const stats = useLoad(() => get<{ data: { attributes: StatsAttributes } }>('/stats').then((r) => r.data.attributes), []);
  const s = stats.data;
  return (
    <section>
      <PageTitle title="Overview" refresh={stats.reload} busy={stats.loading} />
      <ErrorText error={stats.error} />
      {!s && stats.loading && <Loading what="the overview" />}
      {s && (
        <>
          <Checklist stats={s} />
          <section class="card" aria-labelledby="today-title">
            <h2 id="today-title">Today ({s.today.date}, UTC)</h2>
            <dl class="numbers">
              <div>
                <dt>Received</dt>
                <dd>{s.today.received}</dd>
              </div>
              <div>
                <dt>Sent</dt>
                <dd>{s.today.sent}</dd>
              </div>
              <div>
                <dt>Failed deliveries</dt>
                <dd>{s.today.failed}</dd>
              </div>
              <div>
                <dt>Rejected</dt>
                <dd>{s.today.rejected}</dd>
              </div>
              <div>
                <dt>Failed sign-ins</dt>
                <dd>{s.today.authFailures}</dd>
              </div>
            </dl>
            <p class="hint">
              Since the start at {formatDate(s.started_at)}: {s.totals.received} received, {s.totals.outbound.sent} sent, {s.totals.outbound.deferred}{' '}
              deferred, {s.totals.outbound.failed} failed; failed sign-ins SMTP {s.totals.authFailures.smtp}, IMAP {s.totals.authFailures.imap}, API{' '}
              {s.totals.authFailures.api} (refused while throttled: {s.totals.authThrottled.smtp + s.totals.authThrottled.imap + s.totals.authThrottled.api}).
            </p>
          </section>
          <section class="card" aria-labelledby="queue-title">
            <h2 id="queue-title">Outbound queue</h2>
            <dl class="numbers">
              {(Object.entries(s.queue) as Array<[string, number]>).map(([status, n]) => (
                <div key={status}>
                  <dt>
                    <a href={`/queue?status=${status}`}>{status}</a>
                  </dt>
                  <dd>{n}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section class="card" aria-labelledby="listeners-title">
            <h2 id="listeners-title">Listeners</h2>
            <Table
              caption="Listeners"
              hideCaption
              rows={s.listeners}
              rowKey={(l) => `${l.name}:${l.port}`}
              empty="No listeners."
              columns={[
                { label: 'Name', cell: (l) => l.name },
                { label: 'Address', cell: (l) => `${l.address}:${l.port}` },
                { label: 'TLS', cell: (l) => TLS_LABEL[l.tls] },
                { label: 'State', cell: listenerState },
                { label: 'Certificate', cell: certificateCell },
              ]}
            />
          </section>
          <section class="card" aria-labelledby="recent-title">
            <h2 id="recent-title">Recent activity</h2>
            <Table
              caption="Messages received"
              rows={s.recent.received}
              rowKey={(e) => `${e.at}${e.client}${e.from}`}
              empty="No message received since the start."
              columns={[
                { label: 'Time', cell: (e) => formatDate(e.at) },
                { label: 'Listener', cell: (e) => e.listener },
                { label: 'From', cell: (e) => e.from || '<>' },
                { label: 'Client', cell: (e) => e.client },
                { label: 'Recipients', cell: (e) => e.recipients, numeric: true },
              ]}
            />
            <Table
              caption="Outbound deliveries"
              rows={s.recent.outbound}
              rowKey={(e) => `${e.at}${e.toHost}${e.result}`}
              empty="No delivery attempted since the start."
              columns={[
                { label: 'Time', cell: (e) => formatDate(e.at) },
                { label: 'Result', cell: (e) => <span class={e.result === 'sent' ? 'ok' : 'bad'}>{e.result}</span> },
                { label: 'Destination', cell: (e) => e.toHost },
                { label: 'Detail', cell: (e) => e.detail },
              ]}
            />
            <Table
              caption="Rejections"
              rows={s.recent.rejected}
              rowKey={(e) => `${e.at}${e.client}${e.code}`}
              empty="Nothing rejected since the start."
              columns={[
                { label: 'Time', cell: (e) => formatDate(e.at) },
                { label: 'Listener', cell: (e) => e.listener },
                { label: 'Client', cell: (e) => e.client },
                { label: 'Reply', cell: (e) => `${e.code} ${e.enhanced}` },
                { label: 'Reason', cell: (e) => e.reason },
              ]}
            />
            <Table
              caption="Authentication failures"
              rows={s.recent.auth_failures}
              rowKey={(e) => `${e.at}${e.client}${e.username}`}
              empty="No failed sign-in since the start."
              columns={[
                { label: 'Time', cell: (e) => formatDate(e.at) },
                { label: 'Protocol', cell: (e) => e.protocol },
                { label: 'Client', cell: (e) => e.client },
                { label: 'User', cell: (e) => e.username },
                { label: 'Throttled', cell: (e) => (e.throttled ? 'yes' : 'no') },
              ]}
            />
          </section>
        </>
      )}
    </section>
  );
}

export const page: PageDef = { path: '/overview', title: 'Overview', order: 10, admin: true, home: 'admin', component: Overview };
