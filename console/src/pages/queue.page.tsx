// Queue: outbound rows with each recipient's state and the last error; retry
// now, cancel, and the delivery status notification (DSN) that went back to
// the sender. Administrators see every row, other users the rows sent from
// their own accounts (the API's rule).
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { action, get, list, related, type Resource } from '../api.ts';
import { useAction, useLoad } from '../components/async.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { Busy, ErrorText, Loading, Note } from '../components/feedback.tsx';
import { formatDate } from '../components/format.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { useSession } from '../session.tsx';
import type { Mail, Outbox } from '../types.ts';
import type { PageDef } from './page.ts';

const STATUSES: Array<Outbox['status']> = ['queued', 'sending', 'sent', 'partial', 'failed', 'cancelled'];

/** The DSN in the sender's INBOX that reports this row's failed recipients. */
async function findDsn(row: Resource<Outbox>): Promise<Resource<Mail> | null> {
  const account = related(row, 'mail_account_id');
  if (!account) return null;
  const failed = Object.entries(row.attributes.recipient_status).filter(([, s]) => s.bounced).map(([r]) => r);
  const query = JSON.stringify([
    { column: 'mail_account_id', operator: 'is', value: account },
    { column: 'from_address', operator: 'contains', value: 'MAILER-DAEMON@' },
    { column: 'internal_date', operator: 'after', value: row.attributes.created_at },
  ]);
  const candidates = await list<Mail>('mail', { query, sort: 'internal_date', 'page[size]': '20' });
  for (const c of candidates.data) {
    const full = (await get<{ data: Resource<Mail> }>(`/api/mail/${c.id}`)).data;
    if (failed.some((r) => full.attributes.text?.includes(`<${r}>`))) return full;
  }
  return null;
}

function Dsn({ row }: { row: Resource<Outbox> }) {
  const dsn = useLoad(() => findDsn(row), [row.id]);
  if (dsn.loading) return <Busy label="Looking for the notice in the sender's INBOX…" />;
  if (dsn.error) return <ErrorText error={dsn.error} />;
  if (!dsn.data) return <p class="muted">The notice is no longer in the sender's INBOX.</p>;
  return (
    <div class="dsn">
      <p>
        <strong>{dsn.data.attributes.subject}</strong> — to {row.attributes.envelope_from}, {formatDate(dsn.data.attributes.internal_date)}
      </p>
      <pre tabIndex={0} aria-label={`Text of the notice to ${row.attributes.envelope_from}`}>
        {dsn.data.attributes.text}
      </pre>
    </div>
  );
}

function Recipients({ row }: { row: Outbox }) {
  return (
    <ul class="plain recipients">
      {Object.entries(row.recipient_status).map(([rcpt, s]) => (
        <li key={rcpt}>
          {rcpt}: <span class={s.status === 'sent' ? 'ok' : s.status === 'failed' ? 'bad' : undefined}>{s.status}</span>
          {s.code ? ` ${s.code}` : ''}
          {s.enhanced ? ` ${s.enhanced}` : ''}
          {s.response ? <span class="found"> — {s.response}</span> : null}
        </li>
      ))}
    </ul>
  );
}

function QueueRow({ row, onChanged }: { row: Resource<Outbox>; onChanged(message: string): void }) {
  const [confirm, setConfirm] = useState(false);
  const [showDsn, setShowDsn] = useState(false);
  const a = row.attributes;
  const retry = useAction(async () => {
    await action('/action/outbox/retry', { outbox_id: row.id });
    onChanged(`Delivery to ${a.to_host} is being attempted now.`);
  });
  const cancel = useAction(async () => {
    await action('/action/outbox/cancel', { outbox_id: row.id });
    setConfirm(false);
    onChanged(`Delivery to ${a.to_host} cancelled.`);
  });
  const label = `message to ${a.to_host} from ${a.from_address}`;
  return (
    <li class="card queue-row" aria-label={label}>
      <div class="queue-head">
        <span class={`status status-${a.status}`}>{a.status}</span>
        <strong>{a.to_host}</strong>
        <span class="muted">
          from {a.from_address} · queued {formatDate(a.created_at)}
        </span>
      </div>
      <Recipients row={a} />
      <dl class="facts">
        <dt>Attempts</dt>
        <dd>{a.retry_count}</dd>
        <dt>Next attempt</dt>
        <dd>{a.status === 'queued' ? formatDate(a.next_retry_at) : '—'}</dd>
        {a.last_error && (
          <>
            <dt>Last error</dt>
            <dd class="wrap">{a.last_error}</dd>
          </>
        )}
      </dl>
      <div class="actions">
        {a.status === 'queued' && (
          <>
            <button type="button" class="small" disabled={retry.busy} onClick={() => void retry.run()} aria-label={`Retry now: ${label}`}>
              Retry now
            </button>
            <button type="button" class="small danger" onClick={() => setConfirm(true)} aria-label={`Cancel: ${label}`}>
              Cancel
            </button>
          </>
        )}
        {a.dsn_sent && (
          <button type="button" class="small" aria-expanded={showDsn} onClick={() => setShowDsn(!showDsn)}>
            {showDsn ? 'Hide the notice sent back' : 'Show the notice sent back'}
          </button>
        )}
      </div>
      <ErrorText error={retry.error ?? cancel.error} />
      {showDsn && <Dsn row={row} />}
      <ConfirmDialog
        open={confirm}
        title={`Cancel delivery to ${a.to_host}?`}
        confirmLabel="Cancel delivery"
        danger
        busy={cancel.busy}
        onConfirm={() => void cancel.run()}
        onCancel={() => setConfirm(false)}
      >
        <p>
          The message from {a.from_address} to {a.to_address.join(', ')} will not be attempted again. No notice is sent to the sender.
        </p>
      </ConfirmDialog>
    </li>
  );
}

function Queue() {
  const { user } = useSession();
  const { query, route } = useLocation();
  const status = STATUSES.includes(query.status as Outbox['status']) ? query.status : '';
  const rows = useLoad(() => list<Outbox>('outbox', { sort: '-created_at', 'page[size]': '100', ...(status ? { 'filter[status]': status } : {}) }), [status]);
  const [message, setMessage] = useState('');
  const processAll = useAction(async () => {
    const answer = await action<Array<{ ResponseType: string; Attributes: { due?: number } }>>('/action/outbox/process_outbox');
    setMessage(`${answer.find((r) => r.ResponseType === 'outbox.process')?.Attributes.due ?? 0} queued message(s) are being delivered now.`);
    rows.reload();
  });
  const total = rows.data?.meta?.total_count ?? 0;
  return (
    <section>
      <PageTitle title="Queue" refresh={rows.reload} busy={rows.loading} />
      {!user.is_admin && <p>Mail you sent to other servers, while Heron delivers it.</p>}
      <div class="actions">
        <div class="field">
          <label for="queue-status">Status</label>
          <select id="queue-status" value={status} onChange={(e) => route(e.currentTarget.value ? `/queue?status=${e.currentTarget.value}` : '/queue')}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={() => void processAll.run()} disabled={processAll.busy}>
          Deliver queued mail now
        </button>
      </div>
      <ErrorText error={rows.error ?? processAll.error} />
      {message && <Note>{message}</Note>}
      {rows.loading && !rows.data && <Loading what="the queue" />}
      {rows.data && (
        <>
          <h2 class="visually-hidden">Messages</h2>
          <p>
            {total} message(s){status ? ` with status ${status}` : ''}
            {total > 100 ? ', the newest 100 shown' : ''}.
          </p>
          <ul class="plain">
            {rows.data.data.map((row) => (
              <QueueRow
                key={row.id}
                row={row}
                onChanged={(m) => {
                  setMessage(m);
                  rows.reload();
                }}
              />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export const page: PageDef = { path: '/queue', title: 'Queue', order: 40, admin: false, component: Queue };
