// Domains (administrators): hosted domains and their mail_server rows; per
// domain the DNS records to publish (copy buttons), the live check of each
// record, DKIM selectors (generate, rotate, activate) and the MTA-STS mode.
import { useState } from 'preact/hooks';
import { action, create, get, getText, list } from '../api.ts';
import { useAction, useLoad } from '../components/async.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ActionForm } from '../components/ActionForm.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { Busy, ErrorText, Loading, Note } from '../components/feedback.tsx';
import { formatBytes, formatDate } from '../components/format.ts';
import { Table } from '../components/Table.tsx';
import type { DkimKey, DnsCheck, DnsRecord, DnsZone, MailServer, RecordCheck } from '../types.ts';
import type { PageDef } from './page.ts';

type Zones = { data: Array<{ attributes: DnsZone }> };

/** The value as a DNS provider's form wants it (TXT unquoted and unsplit). */
function recordValue(r: DnsRecord): string {
  switch (r.type) {
    case 'MX':
      return `${r.priority} ${r.exchange}.`;
    case 'TXT':
      return r.text ?? '';
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${r.target}.`;
    case 'CNAME':
      return `${r.target}.`;
    case 'CAA':
      return `${r.flags} ${r.tag} "${r.value}"`;
  }
}

const STATUS_TEXT: Record<RecordCheck['status'], string> = { present: 'Present', missing: 'Missing', different: 'Different', error: 'Lookup error' };

function checkCell(check: RecordCheck | undefined) {
  if (!check) return <span class="muted">not checked</span>;
  return (
    <span class={check.status === 'present' ? 'ok' : 'bad'}>
      {STATUS_TEXT[check.status]}
      {check.status === 'different' && <span class="found"> — found: {check.found.join(' | ')}</span>}
      {check.detail && <span class="found"> — {check.detail}</span>}
    </span>
  );
}

function DnsRecords({ domain, onLoaded }: { domain: string; onLoaded(): void }) {
  const zone = useLoad(
    () =>
      action<Zones>('/action/mail_server/dns_records', { domain }).then((z) => {
        onLoaded();
        return z.data[0].attributes;
      }),
    [domain],
  );
  const [check, setCheck] = useState<DnsCheck | null>(null);
  const runCheck = useAction(async () => {
    const answer = await action<{ data: Array<{ attributes: DnsCheck }> }>('/action/mail_server/check_dns', { domain });
    setCheck(answer.data[0].attributes);
  });
  const z = zone.data;
  return (
    <section class="card" aria-labelledby="records-title">
      <h2 id="records-title">DNS records to publish</h2>
      <p>
        Add these records at your DNS provider, then check them. The mail host also needs A/AAAA records for this server's public addresses and a
        matching reverse (PTR) name.
      </p>
      <ErrorText error={zone.error} />
      {!z && zone.loading && <Loading what="the records" />}
      {z && (
        <>
          <div class="actions">
            <button type="button" class="primary" onClick={() => void runCheck.run()} disabled={runCheck.busy}>
              Check DNS now
            </button>
            <CopyButton text={z.text} label={`Copy the whole zone of ${domain}`}>
              Copy the whole zone
            </CopyButton>
          </div>
          {runCheck.busy && <Busy label={`Asking the resolver for ${z.records.length} records…`} />}
          <ErrorText error={runCheck.error} />
          {check && !runCheck.busy && (
            <Note>
              Checked: {check.summary.present} present, {check.summary.missing} missing, {check.summary.different} different
              {check.summary.error ? `, ${check.summary.error} lookup errors` : ''}.
            </Note>
          )}
          <Table
            caption={`DNS records for ${domain}`}
            rows={z.records.map((r, i) => ({ r, i }))}
            rowKey={({ i }) => String(i)}
            empty="No records."
            columns={[
              { label: 'Type', cell: ({ r }) => r.type },
              { label: 'Name', cell: ({ r }) => <code class="wrap">{r.name}.</code> },
              {
                label: 'Value',
                cell: ({ r }) => (
                  <>
                    <code class="wrap">{recordValue(r)}</code> <CopyButton text={recordValue(r)} label={`Copy the ${r.type} value for ${r.name}`} />
                  </>
                ),
              },
              { label: 'Purpose', cell: ({ r }) => r.comment },
              { label: 'Check', cell: ({ r, i }) => checkCell(check?.results[i]?.name === r.name ? check.results[i] : undefined) },
            ]}
          />
          <details>
            <summary>Zone file text</summary>
            <pre class="zone">{z.text}</pre>
          </details>
        </>
      )}
    </section>
  );
}

function Dkim({ domain }: { domain: string }) {
  const keys = useLoad(() => get<{ data: Array<{ id: string; attributes: DkimKey }> }>(`/action/dkim_key/list?domain=${encodeURIComponent(domain)}`), [domain]);
  const [algorithm, setAlgorithm] = useState<'rsa' | 'ed25519'>('rsa');
  const [done, setDone] = useState('');
  const [activating, setActivating] = useState<DkimKey | null>(null);
  const generate = useAction(async () => {
    const answer = await action<{ data: { attributes: DkimKey } }>('/action/dkim_key/generate', { domain, algorithm });
    const key = answer.data.attributes;
    setDone(
      key.is_active
        ? `Selector ${key.selector} created and signing.`
        : `Selector ${key.selector} created. Publish its record (it is in the DNS records above now), wait for the old record's TTL, then activate it.`,
    );
    keys.reload();
  });
  const activate = useAction(async (key: DkimKey) => {
    await action('/action/dkim_key/activate', { domain, selector: key.selector });
    setDone(`Mail from ${domain} is now signed with selector ${key.selector}. Keep the old selectors published for a few days.`);
    setActivating(null);
    keys.reload();
  });
  return (
    <section class="card" aria-labelledby="dkim-title">
      <h2 id="dkim-title">DKIM keys</h2>
      <p>
        Rotating a key: generate a new selector, publish its record, wait, then activate it. Old selectors stay published, so mail signed before the
        switch still verifies.
      </p>
      <ErrorText error={keys.error} />
      {keys.data && (
        <Table
          caption={`DKIM selectors of ${domain}`}
          rows={keys.data.data.map((k) => k.attributes)}
          rowKey={(k) => k.selector}
          empty="No DKIM key yet (one is made with the DNS records)."
          columns={[
            { label: 'Selector', cell: (k) => k.selector },
            { label: 'Algorithm', cell: (k) => k.algorithm },
            { label: 'Created', cell: (k) => formatDate(k.created_at) },
            { label: 'State', cell: (k) => (k.is_active ? <span class="ok">Signing</span> : 'Published only') },
            {
              label: 'Action',
              cell: (k) =>
                k.is_active ? (
                  '—'
                ) : (
                  <button type="button" class="small" onClick={() => setActivating(k)}>
                    Activate {k.selector}
                  </button>
                ),
            },
          ]}
        />
      )}
      <ActionForm class="inline" action={generate} before={() => setDone('')}>
        <div class="field">
          <label for="dkim-algorithm">Algorithm</label>
          <select id="dkim-algorithm" value={algorithm} onChange={(e) => setAlgorithm(e.currentTarget.value as 'rsa' | 'ed25519')}>
            <option value="rsa">RSA 2048 (understood everywhere)</option>
            <option value="ed25519">Ed25519 (smaller; publish beside an RSA key)</option>
          </select>
        </div>
        <button type="submit" disabled={generate.busy}>
          {keys.data?.data.length ? 'Rotate: generate a new selector' : 'Generate a key'}
        </button>
      </ActionForm>
      {generate.busy && <Busy label="Generating a key…" />}
      <ErrorText error={activate.error} />
      {done && <Note>{done}</Note>}
      <ConfirmDialog
        open={activating !== null}
        title={`Sign with selector ${activating?.selector ?? ''}?`}
        confirmLabel="Activate"
        busy={activate.busy}
        onConfirm={() => activating && void activate.run(activating)}
        onCancel={() => setActivating(null)}
      >
        <p>
          Only activate once <code>{activating?.dns_name}</code> is published and resolvers have seen it; receivers cannot verify mail signed with a
          selector they cannot look up.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function MtaSts({ domain }: { domain: string }) {
  const mode = useLoad(async () => {
    const policy = await getText('/.well-known/mta-sts.txt');
    return policy === null ? 'none' : (/^mode:\s*(\S+)/m.exec(policy)?.[1] ?? 'unknown');
  }, []);
  return (
    <section class="card" aria-labelledby="mta-sts-title">
      <h2 id="mta-sts-title">MTA-STS</h2>
      {mode.data && (
        <p>
          Mode: <strong>{mode.data}</strong>.{' '}
          {mode.data === 'testing' && 'Senders report problems but still deliver without TLS. '}
          {mode.data === 'enforce' && 'Senders that support MTA-STS deliver only over verified TLS. '}
          {mode.data === 'none' && 'No policy is published. '}
          The mode is set with <code>HERON_MTA_STS_MODE</code> (testing, enforce or none); switch to enforce once a trusted certificate is in use and
          the DNS check passes. Senders fetch the policy from <code>https://mta-sts.{domain}/.well-known/mta-sts.txt</code>.
        </p>
      )}
      <ErrorText error={mode.error} />
    </section>
  );
}

function DomainDetail({ domain }: { domain: string }) {
  // The zone makes a domain's first DKIM key; the key list is read after it.
  const [zoneLoaded, setZoneLoaded] = useState(false);
  return (
    <section>
      <p class="crumbs">
        <a href="/domains">Domains</a> ›
      </p>
      <h1 tabIndex={-1}>{domain}</h1>
      <DnsRecords domain={domain} onLoaded={() => setZoneLoaded(true)} />
      {zoneLoaded && <Dkim domain={domain} />}
      <MtaSts domain={domain} />
    </section>
  );
}

function AddDomain({ onAdded }: { onAdded(hostname: string): void }) {
  const [hostname, setHostname] = useState('');
  const add = useAction(async () => {
    const row = await create<MailServer>('mail_server', { hostname: hostname.trim().toLowerCase() });
    setHostname('');
    onAdded(row.attributes.hostname);
  });
  return (
    <ActionForm class="card inline" labelledBy="add-domain-title" action={add}>
      <h2 id="add-domain-title">Add a domain</h2>
      <div class="field">
        <label for="domain-name">Domain</label>
        <input id="domain-name" required placeholder="example.com" value={hostname} onInput={(e) => setHostname(e.currentTarget.value)} />
        <p class="hint">Mail for addresses at this domain is delivered here. The default listeners serve it; no restart is needed.</p>
      </div>
      <button type="submit" class="primary" disabled={add.busy}>
        Add domain
      </button>
    </ActionForm>
  );
}

function DomainList() {
  const servers = useLoad(() => list<MailServer>('mail_server', { sort: 'hostname', 'page[size]': '500' }), []);
  const zones = useLoad(() => action<Zones>('/action/mail_server/dns_records'), []);
  const [added, setAdded] = useState('');
  const rows = servers.data?.data.map((s) => ({ domain: s.attributes.hostname, server: s.attributes as MailServer | null })) ?? [];
  for (const z of zones.data?.data ?? []) if (!rows.some((r) => r.domain === z.attributes.domain)) rows.push({ domain: z.attributes.domain, server: null });
  return (
    <section>
      <h1 tabIndex={-1}>Domains</h1>
      <ErrorText error={servers.error ?? zones.error} />
      {servers.loading && !servers.data && <Loading what="the domains" />}
      {added && (
        <Note>
          Added {added}. <a href={`/domains/${added}`}>See its DNS records</a>.
        </Note>
      )}
      {servers.data && (
        <Table
          caption="Hosted domains"
          rows={rows}
          rowKey={(r) => r.domain}
          empty="No hosted domain."
          columns={[
            { label: 'Domain', cell: (r) => <a href={`/domains/${r.domain}`}>{r.domain}</a> },
            { label: 'Kind', cell: (r) => (r.server ? 'mail server' : 'extra domain') },
            { label: 'Listener', cell: (r) => (r.server ? r.server.listen_interface || 'default listeners' : '—') },
            { label: 'Enabled', cell: (r) => (r.server ? (r.server.is_enabled ? 'yes' : 'no') : '—') },
            { label: 'Message size limit', cell: (r) => (r.server ? formatBytes(r.server.max_size) : '—') },
          ]}
        />
      )}
      <AddDomain
        onAdded={(hostname) => {
          setAdded(hostname);
          servers.reload();
        }}
      />
    </section>
  );
}

function Domains({ domain }: { domain?: string }) {
  return domain ? <DomainDetail domain={domain} /> : <DomainList />;
}

export const page: PageDef = { path: '/domains', subpaths: ['/domains/:domain'], title: 'Domains', order: 20, admin: true, component: Domains };
