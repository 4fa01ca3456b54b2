// My account (everyone): change the password (console sign-in and, as chosen,
// the mail accounts' IMAP/SMTP password), the user's mailboxes and usage, and
// the mail client settings from the server's own autoconfig document.
import { useState } from 'preact/hooks';
import { get, getText, update } from '../api.ts';
import { useAction, useLoad } from '../components/async.ts';
import { ActionForm } from '../components/ActionForm.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { ErrorText, Loading, Note } from '../components/feedback.tsx';
import { Mailboxes } from '../components/Mailboxes.tsx';
import { Table } from '../components/Table.tsx';
import { useSession } from '../session.tsx';
import type { MailAccount, MailAlias } from '../types.ts';
import type { PageDef } from './page.ts';

type Accounts = { data: Array<{ id: string; attributes: MailAccount }> };

interface ClientServer {
  direction: 'Incoming' | 'Outgoing';
  protocol: string;
  hostname: string;
  port: string;
  security: string;
}

const SECURITY: Record<string, string> = { SSL: 'TLS from the start (implicit TLS)', STARTTLS: 'STARTTLS', plain: 'none' };

function parseAutoconfig(xml: string): ClientServer[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const text = (el: Element, tag: string) => el.getElementsByTagName(tag)[0]?.textContent ?? '';
  return [...doc.querySelectorAll('incomingServer, outgoingServer')].map((el) => ({
    direction: el.tagName === 'incomingServer' ? 'Incoming' : 'Outgoing',
    protocol: (el.getAttribute('type') ?? '').toUpperCase(),
    hostname: text(el, 'hostname'),
    port: text(el, 'port'),
    security: SECURITY[text(el, 'socketType')] ?? text(el, 'socketType'),
  }));
}

function ClientSetup({ address }: { address: string }) {
  const path = `/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`;
  const servers = useLoad(async () => {
    const xml = await getText(path);
    return xml === null ? [] : parseAutoconfig(xml);
  }, [address]);
  return (
    <>
      <h3>Mail client settings</h3>
      <p>
        User name: <code>{address}</code> <CopyButton text={address} label={`Copy the user name ${address}`} />, with the account's password.
        Thunderbird and most other clients find the rest by themselves from the <a href={path}>autoconfig document</a>.
      </p>
      <ErrorText error={servers.error} />
      {servers.data && (
        <Table
          caption={`Servers for ${address}`}
          rows={servers.data}
          rowKey={(s) => `${s.direction}${s.port}`}
          empty="This address's domain is not configured for clients."
          columns={[
            { label: 'Direction', cell: (s) => s.direction },
            { label: 'Protocol', cell: (s) => s.protocol },
            { label: 'Server', cell: (s) => <code>{s.hostname}</code> },
            { label: 'Port', cell: (s) => s.port, numeric: true },
            { label: 'Security', cell: (s) => s.security },
          ]}
        />
      )}
    </>
  );
}

function AccountCard({ id, address }: { id: string; address: string }) {
  const aliases = useLoad(() => get<{ data: Array<{ attributes: MailAlias }> }>(`/action/mail_alias/list?mail_account_id=${id}`), [id]);
  const names = aliases.data?.data.map((a) => a.attributes.address) ?? [];
  return (
    <section class="card" aria-label={address}>
      <h2>{address}</h2>
      {names.length > 0 && <p>Also receives mail for: {names.join(', ')}</p>}
      <Mailboxes accountId={id} address={address} />
      <ClientSetup address={address} />
    </section>
  );
}

function ChangePassword({ accounts }: { accounts: Accounts['data'] }) {
  const { user } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set(accounts.map((a) => a.id)));
  const [done, setDone] = useState('');
  const change = useAction(async () => {
    if (next !== again) throw new Error('The new password and its repetition differ.');
    await update('user_account', user.id, { password: next, current_password: current });
    const mail = accounts.filter((a) => chosen.has(a.id));
    for (const a of mail) await update('mail_account', a.id, { password: next });
    setCurrent('');
    setNext('');
    setAgain('');
    setDone(`Password changed for signing in here${mail.length ? ` and for ${mail.map((a) => a.attributes.username).join(', ')} (IMAP and SMTP)` : ''}.`);
  });
  return (
    <ActionForm class="card" labelledBy="password-title" action={change} before={() => setDone('')}>
      <h2 id="password-title">Change password</h2>
      <div class="field">
        <label for="pw-current">Current password</label>
        <input id="pw-current" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="pw-new">New password</label>
        <input
          id="pw-new"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          aria-describedby="pw-new-hint"
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
        />
        <p class="hint" id="pw-new-hint">
          At least 8 characters; a long passphrase is best.
        </p>
      </div>
      <div class="field">
        <label for="pw-again">New password again</label>
        <input id="pw-again" type="password" autocomplete="new-password" required minLength={8} value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
      </div>
      {accounts.length > 0 && (
        <fieldset>
          <legend>Also use it for mail (IMAP and SMTP)</legend>
          {accounts.map((a) => (
            <div class="field check" key={a.id}>
              <input
                id={`pw-account-${a.id}`}
                type="checkbox"
                checked={chosen.has(a.id)}
                onChange={(e) => {
                  const set = new Set(chosen);
                  if (e.currentTarget.checked) set.add(a.id);
                  else set.delete(a.id);
                  setChosen(set);
                }}
              />
              <label for={`pw-account-${a.id}`}>{a.attributes.username}</label>
            </div>
          ))}
        </fieldset>
      )}
      <button type="submit" class="primary" disabled={change.busy}>
        Change password
      </button>
      {done && <Note>{done}</Note>}
    </ActionForm>
  );
}

function Me() {
  const { user } = useSession();
  const accounts = useLoad(() => get<Accounts>(`/api/user_account/${user.id}/mail_account?sort=username&page[size]=500`), [user.id]);
  return (
    <section>
      <h1 tabIndex={-1}>My account</h1>
      <p>
        Signed in as <strong>{user.email}</strong>
        {user.is_admin ? ' (administrator)' : ''}.
      </p>
      <ErrorText error={accounts.error} />
      {accounts.loading && !accounts.data && <Loading what="your accounts" />}
      {accounts.data && (
        <>
          <ChangePassword accounts={accounts.data.data} />
          {accounts.data.data.length === 0 && <p>No mail account belongs to you yet.</p>}
          {accounts.data.data.map((a) => (
            <AccountCard key={a.id} id={a.id} address={a.attributes.username} />
          ))}
          <section class="card" aria-labelledby="tokens-title">
            <h2 id="tokens-title">App tokens</h2>
            <p class="muted">Tokens for apps and scripts come with Heron's API tokens; until then apps sign in with the password.</p>
          </section>
        </>
      )}
    </section>
  );
}

export const page: PageDef = { path: '/me', title: 'My account', order: 90, admin: false, home: 'user', component: Me };
