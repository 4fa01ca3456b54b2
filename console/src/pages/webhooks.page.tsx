// Webhooks (administrators): where events are POSTed and which, the signing
// secret, and the delivery history (status, attempts, the receiver's answer).
// It uses EmailEngine's routes, as an app would: GET/PUT /v1/settings and
// GET /v1/webhooks/deliveries.
import { useEffect, useState } from 'preact/hooks';
import { get, request } from '../api.ts';
import { ActionForm } from '../components/ActionForm.tsx';
import { useAction, useLoad } from '../components/async.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { ErrorText, Loading, Note } from '../components/feedback.tsx';
import { formatDate } from '../components/format.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { Table } from '../components/Table.tsx';
import type { PageDef } from './page.ts';

/** The events Heron sends (README "Webhooks"). */
const EVENTS = ['messageNew', 'messageDeleted', 'messageUpdated', 'mailboxNew', 'mailboxDeleted', 'messageSent', 'messageDeliveryError', 'messageFailed', 'messageBounce'];

interface Settings {
  webhooksEnabled: boolean;
  webhooks: string;
  webhookEvents: string[];
  serviceSecret: string;
}

interface Delivery {
  id: string;
  event: string;
  account: string;
  path?: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  responseCode: number | null;
  lastError: string | null;
  created: string;
  nextAttempt?: string;
}

function SettingsForm({ settings, onSaved }: { settings: Settings; onSaved(): void }) {
  const [enabled, setEnabled] = useState(settings.webhooksEnabled);
  const [url, setUrl] = useState(settings.webhooks);
  const all = settings.webhookEvents.includes('*');
  const [events, setEvents] = useState<Set<string>>(new Set(all ? EVENTS : settings.webhookEvents));
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    const chosen = EVENTS.filter((e) => events.has(e));
    await request('PUT', '/v1/settings', { webhooksEnabled: enabled, webhooks: url.trim(), webhookEvents: chosen.length === EVENTS.length ? ['*'] : chosen });
    setSaved(true);
    onSaved();
  });
  const toggle = (event: string, on: boolean) => {
    const next = new Set(events);
    if (on) next.add(event);
    else next.delete(event);
    setEvents(next);
    setSaved(false);
  };
  return (
    <ActionForm class="card" labelledBy="webhook-settings-title" action={save} before={() => setSaved(false)}>
      <h2 id="webhook-settings-title">Settings</h2>
      <div class="field check">
        <input id="webhooks-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        <label for="webhooks-enabled">Send webhooks</label>
      </div>
      <div class="field">
        <label for="webhooks-url">Receiver URL</label>
        <input id="webhooks-url" type="url" required={enabled} placeholder="https://app.example.com/heron-events" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      </div>
      <fieldset>
        <legend>Events</legend>
        {EVENTS.map((event) => (
          <div class="field check" key={event}>
            <input id={`webhook-event-${event}`} type="checkbox" checked={events.has(event)} onChange={(e) => toggle(event, e.currentTarget.checked)} />
            <label for={`webhook-event-${event}`}>{event}</label>
          </div>
        ))}
      </fieldset>
      <p>
        Signing secret (<code>X-EE-Wh-Signature</code> is the base64url HMAC-SHA256 of the body with it): <code class="wrap">{settings.serviceSecret}</code>{' '}
        <CopyButton text={settings.serviceSecret} label="Copy the signing secret" />
      </p>
      <button type="submit" class="primary" disabled={save.busy}>
        Save
      </button>
      {saved && <Note>Webhook settings saved.</Note>}
    </ActionForm>
  );
}

function Deliveries() {
  const [status, setStatus] = useState('');
  const deliveries = useLoad(() => get<{ total: number; deliveries: Delivery[] }>(`/v1/webhooks/deliveries?pageSize=100${status ? `&status=${status}` : ''}`), [status]);
  useEffect(() => {
    // Pending events move on by themselves: look again now and then while the page is open.
    const timer = setInterval(() => deliveries.reload(), 15_000);
    return () => clearInterval(timer);
  }, [status]);
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries</h2>
      <div class="actions">
        <div class="field">
          <label for="delivery-status">Status</label>
          <select id="delivery-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">all</option>
            <option value="pending">pending</option>
            <option value="delivered">delivered</option>
            <option value="failed">failed</option>
          </select>
        </div>
        <button type="button" onClick={() => deliveries.reload()} disabled={deliveries.loading}>
          Refresh deliveries
        </button>
      </div>
      <ErrorText error={deliveries.error} />
      {deliveries.loading && !deliveries.data && <Loading what="the deliveries" />}
      {deliveries.data && (
        <>
          <p>
            {deliveries.data.total} event(s){deliveries.data.total > 100 ? ', the newest 100 shown' : ''}.
          </p>
          <Table
            caption="Webhook deliveries"
            hideCaption
            rows={deliveries.data.deliveries}
            rowKey={(d) => d.id}
            empty="No events yet."
            columns={[
              { label: 'Event', cell: (d) => d.event },
              { label: 'Account', cell: (d) => `${d.account}${d.path ? ` · ${d.path}` : ''}` },
              { label: 'Status', cell: (d) => <span class={d.status === 'delivered' ? 'ok' : d.status === 'failed' ? 'bad' : undefined}>{d.status}</span> },
              { label: 'Attempts', cell: (d) => d.attempts, numeric: true },
              { label: 'Answer', cell: (d) => (d.responseCode ? String(d.responseCode) : (d.lastError ?? '—')) },
              { label: 'Created', cell: (d) => formatDate(d.created) },
              { label: 'Next attempt', cell: (d) => (d.nextAttempt ? formatDate(d.nextAttempt) : '—') },
            ]}
          />
        </>
      )}
    </section>
  );
}

function Webhooks() {
  const settings = useLoad(() => get<Settings>('/v1/settings'), []);
  return (
    <section>
      <PageTitle title="Webhooks" refresh={settings.reload} busy={settings.loading} />
      <p>Heron POSTs each change (new, changed and deleted messages, mailboxes, outbound results) to your receiver, signed, retried for a day, never lost.</p>
      <ErrorText error={settings.error} />
      {settings.loading && !settings.data && <Loading what="the settings" />}
      {settings.data && <SettingsForm settings={settings.data} onSaved={settings.reload} />}
      <Deliveries />
    </section>
  );
}

export const page: PageDef = { path: '/webhooks', title: 'Webhooks', order: 52, admin: true, component: Webhooks };
