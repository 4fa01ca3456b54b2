// Certificates (administrators): TLS certificates per host name with issuer and
// expiry; obtain one by ACME, upload PEM material, or generate a self-signed
// one. Listeners use a new certificate for new connections at once.
import { useState } from 'preact/hooks';
import { action, create, list, update, type Resource } from '../api.ts';
import { useAction, useLoad } from '../components/async.ts';
import { ActionForm } from '../components/ActionForm.tsx';
import { Busy, ErrorText, Loading, Note } from '../components/feedback.tsx';
import { daysUntil, formatDate } from '../components/format.ts';
import { Table } from '../components/Table.tsx';
import type { Certificate } from '../types.ts';
import type { PageDef } from './page.ts';

type Certs = Resource<Certificate>[];

function expiry(c: Certificate) {
  const days = daysUntil(c.expires_at);
  if (days === null) return '—';
  return (
    <span class={days < 14 ? 'bad' : undefined}>
      {formatDate(c.expires_at)} ({days < 0 ? 'expired' : `${days} days`})
    </span>
  );
}

async function recordFor(certs: Certs, hostname: string): Promise<string> {
  const existing = certs.find((c) => c.attributes.hostname === hostname);
  return existing ? existing.id : (await create<Certificate>('certificate', { hostname })).id;
}

function HostnameField({ id, value, onInput }: { id: string; value: string; onInput(v: string): void }) {
  return (
    <div class="field">
      <label for={id}>Host name</label>
      <input id={id} required placeholder="mail.example.com" value={value} onInput={(e) => onInput(e.currentTarget.value.trim().toLowerCase())} />
    </div>
  );
}

function Acme({ onDone }: { onDone(message: string): void }) {
  const [hostname, setHostname] = useState('');
  const [email, setEmail] = useState('');
  const issue = useAction(async () => {
    await action('/action/certificate/generate_acme_certificate', { hostname, ...(email ? { email } : {}) });
    onDone(`Obtained a certificate for ${hostname}; it renews itself 30 days before it expires.`);
  });
  return (
    <ActionForm class="card" labelledBy="acme-title" action={issue}>
      <h2 id="acme-title">Request a certificate (ACME)</h2>
      <p>
        The certificate authority fetches <code>http://&lt;host name&gt;/.well-known/acme-challenge/…</code>: the name must point at this server, and
        port 80 must reach Heron (<code>HERON_ACME_HTTP_PORT=80</code> or a proxy).
      </p>
      <HostnameField id="acme-hostname" value={hostname} onInput={setHostname} />
      <div class="field">
        <label for="acme-email">Contact email (optional when HERON_ACME_EMAIL is set)</label>
        <input id="acme-email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </div>
      <button type="submit" class="primary" disabled={issue.busy}>
        Request certificate
      </button>
      {issue.busy && <Busy label={`Asking the certificate authority for ${hostname}; this can take a minute…`} />}
    </ActionForm>
  );
}

function SelfSigned({ certs, onDone }: { certs: Certs; onDone(message: string): void }) {
  const [hostname, setHostname] = useState('');
  const generate = useAction(async () => {
    const id = await recordFor(certs, hostname);
    await action('/action/certificate/generate_self_certificate', {}, { certificate_id: id });
    onDone(`Generated a self-signed certificate for ${hostname}.`);
  });
  return (
    <ActionForm class="card" labelledBy="self-title" action={generate}>
      <h2 id="self-title">Generate a self-signed certificate</h2>
      <p>Clients warn about self-signed certificates; use one only until a real one is in place.</p>
      <HostnameField id="self-hostname" value={hostname} onInput={setHostname} />
      <button type="submit" disabled={generate.busy}>
        Generate
      </button>
      {generate.busy && <Busy label="Generating…" />}
    </ActionForm>
  );
}

function PemField({ id, label, value, onChange, required }: { id: string; label: string; value: string; onChange(v: string): void; required?: boolean }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} rows={4} required={required} spellcheck={false} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
      <label class="file">
        <span class="visually-hidden">{label}: </span>or read a file
        <input type="file" accept=".pem,.crt,.key,.cer,text/plain" onChange={(e) => void e.currentTarget.files?.[0]?.text().then(onChange)} />
      </label>
    </div>
  );
}

function Upload({ certs, onDone }: { certs: Certs; onDone(message: string): void }) {
  const [hostname, setHostname] = useState('');
  const [cert, setCert] = useState('');
  const [key, setKey] = useState('');
  const [chain, setChain] = useState('');
  const upload = useAction(async () => {
    const material = { certificate_pem: cert, private_key_pem: key, ...(chain.trim() ? { root_certificate: chain } : {}) };
    const existing = certs.find((c) => c.attributes.hostname === hostname);
    if (existing) await update('certificate', existing.id, material);
    else await create('certificate', { hostname, ...material });
    setKey('');
    onDone(`Imported the certificate for ${hostname}.`);
  });
  return (
    <ActionForm class="card" labelledBy="upload-title" action={upload}>
      <h2 id="upload-title">Upload a certificate (PEM)</h2>
      <p>Heron checks that the key matches, the chain issued the certificate, it covers the host name and has not expired.</p>
      <HostnameField id="upload-hostname" value={hostname} onInput={setHostname} />
      <PemField id="upload-cert" label="Certificate" value={cert} onChange={setCert} required />
      <PemField id="upload-key" label="Private key" value={key} onChange={setKey} required />
      <PemField id="upload-chain" label="Intermediate chain (optional)" value={chain} onChange={setChain} />
      <button type="submit" disabled={upload.busy}>
        Upload
      </button>
    </ActionForm>
  );
}

function Certificates() {
  const certs = useLoad(() => list<Certificate>('certificate', { sort: 'hostname', 'page[size]': '500' }), []);
  const [message, setMessage] = useState('');
  const done = (m: string) => {
    setMessage(m);
    certs.reload();
  };
  return (
    <section>
      <h1 tabIndex={-1}>Certificates</h1>
      {message && <Note>{message}</Note>}
      <ErrorText error={certs.error} />
      {certs.loading && !certs.data && <Loading what="certificates" />}
      {certs.data && (
        <Table
          caption="Certificates"
          rows={certs.data.data}
          rowKey={(c) => c.id}
          empty="No certificates."
          columns={[
            { label: 'Host name', cell: (c) => c.attributes.hostname },
            { label: 'Source', cell: (c) => c.attributes.source },
            { label: 'Issuer', cell: (c) => c.attributes.issuer || '—' },
            { label: 'Also for', cell: (c) => c.attributes.alt_names.join(', ') || '—' },
            { label: 'Expires', cell: (c) => expiry(c.attributes) },
            { label: 'Last renewal error', cell: (c) => c.attributes.last_error || '—' },
          ]}
        />
      )}
      <Acme onDone={done} />
      {certs.data && <Upload certs={certs.data.data} onDone={done} />}
      {certs.data && <SelfSigned certs={certs.data.data} onDone={done} />}
    </section>
  );
}

export const page: PageDef = { path: '/certificates', title: 'Certificates', order: 50, admin: true, component: Certificates };
