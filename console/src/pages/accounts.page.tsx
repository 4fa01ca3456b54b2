// Accounts (administrators): list and search mail accounts; create one with a
// generated password (shown once) and, by default, a console sign-in for its
// owner with the same address and password; per account its mailboxes and
// usage, aliases, password reset and deletion.
import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { action, create, get, getOne, list, related, remove, update, type Resource } from '../api.ts';
import { useAction, useLoad } from '../components/async.ts';
import { ActionForm } from '../components/ActionForm.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ErrorText, Loading, Note } from '../components/feedback.tsx';
import { formatBytes, formatDate, randomPassword } from '../components/format.ts';
import { Mailboxes } from '../components/Mailboxes.tsx';
import { Secret } from '../components/Secret.tsx';
import { Table } from '../components/Table.tsx';
import type { MailAccount, MailAlias, MailServer, UserAccount } from '../types.ts';
import type { PageDef } from './page.ts';

type Aliases = { data: Array<{ id: string; attributes: MailAlias }> };

async function findUser(email: string): Promise<Resource<UserAccount> | undefined> {
  const found = await list<UserAccount>('user_account', { 'filter[email]': email });
  return found.data[0];
}

function NewAccount({ focus, onCreated }: { focus: boolean; onCreated(address: string, password: string, id: string): void }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // After the page heading took focus (app.tsx), for the getting-started link "create a mail account".
    if (focus) setTimeout(() => input.current?.focus(), 100);
  }, [focus]);
  const servers = useLoad(() => list<MailServer>('mail_server', { sort: 'hostname', 'page[size]': '500' }), []);
  const [local, setLocal] = useState('');
  const [domain, setDomain] = useState('');
  const [signIn, setSignIn] = useState(true);
  const chosen = domain || servers.data?.data[0]?.attributes.hostname || '';
  const submit = useAction(async () => {
    const address = `${local.trim().toLowerCase()}@${chosen}`;
    const password = randomPassword();
    const server = servers.data!.data.find((s) => s.attributes.hostname === chosen)!;
    const relationships: Record<string, { type: string; id: string }> = { mail_server_id: { type: 'mail_server', id: server.id } };
    let createdUser: string | null = null;
    if (signIn) {
      const existing = await findUser(address);
      if (existing) {
        relationships.user_account_id = { type: 'user_account', id: existing.id };
      } else {
        createdUser = (await create<UserAccount>('user_account', { email: address, password })).id;
        relationships.user_account_id = { type: 'user_account', id: createdUser };
      }
    }
    try {
      const account = await create<MailAccount>('mail_account', { username: address, password }, relationships);
      setLocal('');
      onCreated(address, password, account.id);
    } catch (err) {
      // Leave nothing half-made: the sign-in created for this account goes too.
      if (createdUser) await remove('user_account', createdUser).catch(() => undefined);
      throw err;
    }
  });
  return (
    <ActionForm class="card" labelledBy="new-account-title" action={submit}>
      <h2 id="new-account-title">New account</h2>
      <ErrorText error={servers.error} />
      <div class="address-fields">
        <div class="field">
          <label for="new-local">Address</label>
          <input id="new-local" ref={input} required autocomplete="off" placeholder="alice" value={local} onInput={(e) => setLocal(e.currentTarget.value)} />
        </div>
        <span class="at" aria-hidden="true">
          @
        </span>
        <div class="field">
          <label for="new-domain">Domain</label>
          <select id="new-domain" value={chosen} onChange={(e) => setDomain(e.currentTarget.value)}>
            {servers.data?.data.map((s) => (
              <option key={s.id} value={s.attributes.hostname}>
                {s.attributes.hostname}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="field check">
        <input id="new-signin" type="checkbox" checked={signIn} onChange={(e) => setSignIn(e.currentTarget.checked)} />
        <label for="new-signin">Let the owner sign in to this console with the same address and password (to change it and see set-up details)</label>
      </div>
      <p class="hint">A password is generated and shown once after creation. The account gets INBOX, Sent, Drafts, Trash and Junk.</p>
      <button type="submit" class="primary" disabled={submit.busy || !servers.data}>
        Create account
      </button>
    </ActionForm>
  );
}

function AccountList() {
  const { query, route } = useLocation();
  const [search, setSearch] = useState(query.q ?? '');
  const [page, setPage] = useState(1);
  const [created, setCreated] = useState<{ address: string; password: string; id: string } | null>(null);
  const accounts = useLoad(
    () => list<MailAccount>('mail_account', { sort: 'username', 'page[size]': '50', 'page[number]': String(page), ...(query.q ? { filter: query.q } : {}) }),
    [query.q, page],
  );
  const users = useLoad(() => list<UserAccount>('user_account', { 'page[size]': '500' }), []);
  const aliases = useLoad(() => get<Aliases>('/action/mail_alias/list'), []);
  const owner = (a: Resource<MailAccount>) => users.data?.data.find((u) => u.id === related(a, 'user_account_id'))?.attributes.email ?? '—';
  const aliasesOf = (id: string) => (aliases.data?.data ?? []).filter((x) => x.attributes.mail_account_id === id).map((x) => x.attributes.address);
  const total = accounts.data?.meta?.total_count ?? 0;
  return (
    <section>
      <h1 tabIndex={-1}>Accounts</h1>
      {created && (
        <Secret label={`Created ${created.address}.`} value={created.password} who={`the owner of ${created.address}`} />
      )}
      {created && (
        <p>
          <a href={`/accounts/${created.id}`}>Open {created.address}</a>
        </p>
      )}
      <form
        role="search"
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          route(search.trim() ? `/accounts?q=${encodeURIComponent(search.trim())}` : '/accounts');
        }}
      >
        <div class="field">
          <label for="account-search">Search accounts</label>
          <input id="account-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </div>
        <button type="submit">Search</button>
      </form>
      <ErrorText error={accounts.error ?? users.error ?? aliases.error} />
      {accounts.loading && !accounts.data && <Loading what="accounts" />}
      {accounts.data && (
        <>
          <Table
            caption={query.q ? `Accounts matching “${query.q}” (${total})` : `Accounts (${total})`}
            rows={accounts.data.data}
            rowKey={(a) => a.id}
            empty={query.q ? 'No account matches.' : 'No accounts yet.'}
            columns={[
              { label: 'Address', cell: (a) => <a href={`/accounts/${a.id}`}>{a.attributes.username}</a> },
              { label: 'Signs in as', cell: owner },
              { label: 'Aliases', cell: (a) => aliasesOf(a.id).join(', ') || '—' },
              { label: 'Created', cell: (a) => formatDate(a.attributes.created_at) },
            ]}
          />
          {total > 50 && (
            <div class="actions">
              <button type="button" disabled={page === 1} onClick={() => setPage(page - 1)}>
                Previous page
              </button>
              <span>
                Page {page} of {Math.ceil(total / 50)}
              </span>
              <button type="button" disabled={page * 50 >= total} onClick={() => setPage(page + 1)}>
                Next page
              </button>
            </div>
          )}
        </>
      )}
      <NewAccount
        focus={query.new === '1'}
        onCreated={(address, password, id) => {
          setCreated({ address, password, id });
          accounts.reload();
          users.reload();
          window.scrollTo(0, 0);
        }}
      />
    </section>
  );
}

function AliasSection({ accountId, address }: { accountId: string; address: string }) {
  const aliases = useLoad(() => get<Aliases>(`/action/mail_alias/list?mail_account_id=${accountId}`), [accountId]);
  const [value, setValue] = useState('');
  const add = useAction(async () => {
    await action('/action/mail_alias/create', { address: value.trim(), mail_account_id: accountId });
    setValue('');
    aliases.reload();
  });
  const drop = useAction(async (id: string) => {
    await action('/action/mail_alias/delete', { mail_alias_id: id });
    aliases.reload();
  });
  return (
    <section class="card" aria-labelledby="aliases-title">
      <h2 id="aliases-title">Aliases</h2>
      <p>Mail to an alias is delivered to {address}, which may also send as it.</p>
      <ErrorText error={aliases.error ?? drop.error} />
      {aliases.data && (
        <ul class="plain">
          {aliases.data.data.length === 0 && <li class="muted">No aliases.</li>}
          {aliases.data.data.map((a) => (
            <li key={a.id}>
              {a.attributes.address}{' '}
              <button type="button" class="small" aria-label={`Remove alias ${a.attributes.address}`} disabled={drop.busy} onClick={() => void drop.run(a.id)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <ActionForm class="inline" action={add}>
        <div class="field">
          <label for="alias-address">New alias</label>
          <input id="alias-address" type="email" required placeholder={`sales@${address.split('@')[1]}`} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={add.busy}>
          Add alias
        </button>
      </ActionForm>
    </section>
  );
}

/** Usage against the limits, and the limits an administrator sets (empty: unlimited). */
function QuotaSection({ account, onSaved }: { account: Resource<MailAccount>; onSaved(): void }) {
  const a = account.attributes;
  const mb = (bytes: number | null | undefined) => (bytes == null ? '' : String(Math.round((bytes / 1024 / 1024) * 100) / 100));
  const [storage, setStorage] = useState(mb(a.quota_storage_bytes));
  const [messages, setMessages] = useState(a.quota_messages == null ? '' : String(a.quota_messages));
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    await update('mail_account', account.id, {
      quota_storage_bytes: storage.trim() === '' ? null : Math.round(Number(storage) * 1024 * 1024),
      quota_messages: messages.trim() === '' ? null : Number(messages),
    });
    setSaved(true);
    onSaved();
  });
  const of = (used: number | undefined, limit: number | null | undefined, show: (n: number) => string) =>
    `${show(used ?? 0)} of ${limit == null ? 'unlimited' : show(limit)}`;
  return (
    <section class="card" aria-labelledby="quota-title">
      <h2 id="quota-title">Quota</h2>
      <dl class="facts">
        <dt>Storage</dt>
        <dd>{of(a.used_storage_bytes, a.quota_storage_bytes, formatBytes)}</dd>
        <dt>Messages</dt>
        <dd>{of(a.used_messages, a.quota_messages, String)}</dd>
      </dl>
      <ActionForm class="inline" action={save} before={() => setSaved(false)}>
        <div class="field">
          <label for="quota-storage">Storage limit (MB; empty: unlimited)</label>
          <input id="quota-storage" type="number" min="0" step="any" inputMode="decimal" value={storage} onInput={(e) => setStorage(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="quota-messages">Message limit (empty: unlimited)</label>
          <input id="quota-messages" type="number" min="0" step="1" inputMode="numeric" value={messages} onInput={(e) => setMessages(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={save.busy}>
          Save limits
        </button>
      </ActionForm>
      {saved && <Note>Quota saved. Mail over the limit is refused (IMAP [OVERQUOTA], SMTP 552 5.2.2).</Note>}
    </section>
  );
}

function AccountDetail({ id }: { id: string }) {
  const { route } = useLocation();
  const account = useLoad(async () => {
    const row = await getOne<MailAccount>('mail_account', id);
    const ownerId = related(row, 'user_account_id');
    const owner = ownerId ? await getOne<UserAccount>('user_account', ownerId).catch(() => null) : null;
    return { row, owner };
  }, [id]);
  const [confirm, setConfirm] = useState<'reset' | 'delete' | null>(null);
  const [password, setPassword] = useState<string | null>(null);
  const data = account.data;
  const address = data?.row.attributes.username ?? '';
  // The owner's console sign-in shares the password when it is this address's own (made with the account).
  const personal = data?.owner && !data.owner.attributes.is_admin && data.owner.attributes.email === address ? data.owner : null;
  const reset = useAction(async () => {
    const next = randomPassword();
    await update('mail_account', id, { password: next });
    if (personal) await update('user_account', personal.id, { password: next });
    setPassword(next);
    setConfirm(null);
  });
  const destroy = useAction(async () => {
    await remove('mail_account', id);
    if (personal) {
      const left = await get<{ data: unknown[] }>(`/api/user_account/${personal.id}/mail_account`);
      if (left.data.length === 0) await remove('user_account', personal.id);
    }
    setConfirm(null);
    route(`/accounts?deleted=${encodeURIComponent(address)}`);
  });
  if (account.error) {
    return (
      <section>
        <h1 tabIndex={-1}>Account</h1>
        <ErrorText error={account.error} />
      </section>
    );
  }
  if (!data) return <Loading what="the account" />;
  return (
    <section>
      <p class="crumbs">
        <a href="/accounts">Accounts</a> ›
      </p>
      <h1 tabIndex={-1}>{address}</h1>
      <dl class="facts">
        <dt>Console sign-in</dt>
        <dd>{data.owner ? `${data.owner.attributes.email}${data.owner.attributes.is_admin ? ' (administrator)' : ''}` : 'none'}</dd>
        <dt>Created</dt>
        <dd>{formatDate(data.row.attributes.created_at)}</dd>
      </dl>
      {password && <Secret label={`New password for ${address}.`} value={password} who={`the owner of ${address}`} />}
      <section class="card" aria-labelledby="mailboxes-title">
        <h2 id="mailboxes-title">Mailboxes and usage</h2>
        <Mailboxes accountId={id} address={address} />
      </section>
      <QuotaSection account={data.row} onSaved={account.reload} />
      <AliasSection accountId={id} address={address} />
      <section class="card" aria-labelledby="manage-title">
        <h2 id="manage-title">Password and removal</h2>
        <div class="actions">
          <button type="button" onClick={() => setConfirm('reset')}>
            Reset password
          </button>
          <button type="button" class="danger" onClick={() => setConfirm('delete')}>
            Delete account
          </button>
        </div>
        <ErrorText error={reset.error ?? destroy.error} />
      </section>
      <ConfirmDialog
        open={confirm === 'reset'}
        title={`Reset the password of ${address}?`}
        confirmLabel="Reset password"
        busy={reset.busy}
        onConfirm={() => void reset.run()}
        onCancel={() => setConfirm(null)}
      >
        <p>
          A new password is generated and shown once. Mail clients using the old one stop working{personal ? '; the console sign-in gets the same new password' : ''}.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'delete'}
        title={`Delete ${address}?`}
        confirmLabel={`Delete ${address}`}
        danger
        busy={destroy.busy}
        onConfirm={() => void destroy.run()}
        onCancel={() => setConfirm(null)}
      >
        <p>Every mailbox and message of this account is deleted, and its aliases with it. This cannot be undone.</p>
        {personal && <p>The console sign-in {personal.attributes.email} is removed too when it has no other account.</p>}
      </ConfirmDialog>
    </section>
  );
}

function Accounts({ id }: { id?: string }) {
  const { query } = useLocation();
  if (id) return <AccountDetail id={id} />;
  return (
    <>
      {query.deleted && <Note>Deleted {query.deleted}.</Note>}
      <AccountList />
    </>
  );
}

export const page: PageDef = { path: '/accounts', subpaths: ['/accounts/:id'], title: 'Accounts', order: 30, admin: true, component: Accounts };

