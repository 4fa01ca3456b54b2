// API tokens: long-lived tokens for the mail API (/v1) and /metrics, each with
// scopes and optionally limited to some accounts. Anyone signed in makes and
// revokes their own (administrators see everyone's); the token is shown once.
import { useState } from 'preact/hooks';
import { create, list, remove, type Resource } from '../api.ts';
import { ActionForm } from '../components/ActionForm.tsx';
import { useAction, useLoad } from '../components/async.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ErrorText, Loading, Note } from '../components/feedback.tsx';
import { formatDate } from '../components/format.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import { Secret } from '../components/Secret.tsx';
import { Table } from '../components/Table.tsx';
import type { AccessToken } from '../types.ts';
import type { PageDef } from './page.ts';

const SCOPES: Array<{ scope: AccessToken['scopes'][number]; what: string }> = [
  { scope: 'read', what: 'read mailboxes and messages' },
  { scope: 'write', what: 'change flags, move and delete messages, manage mailboxes' },
  { scope: 'send', what: 'send mail' },
  { scope: 'metrics', what: 'read /metrics' },
];

function NewToken({ onCreated }: { onCreated(token: Resource<AccessToken>): void }) {
  const [description, setDescription] = useState('');
  const [scopes, setScopes] = useState<Set<string>>(new Set(['read']));
  const [accounts, setAccounts] = useState('');
  const submit = useAction(async () => {
    const limited = accounts
      .split(/[\s,]+/)
      .map((a) => a.trim())
      .filter(Boolean);
    const made = await create<AccessToken>('access_token', {
      description: description.trim(),
      scopes: SCOPES.map((s) => s.scope).filter((s) => scopes.has(s)),
      ...(limited.length ? { accounts: limited } : {}),
    });
    setDescription('');
    setAccounts('');
    onCreated(made);
  });
  const toggle = (scope: string, on: boolean) => {
    const next = new Set(scopes);
    if (on) next.add(scope);
    else next.delete(scope);
    setScopes(next);
  };
  return (
    <ActionForm class="card" labelledBy="new-token-title" action={submit}>
      <h2 id="new-token-title">New token</h2>
      <div class="field">
        <label for="token-description">What it is for</label>
        <input id="token-description" required maxLength={1024} autocomplete="off" placeholder="helpdesk app" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </div>
      <fieldset>
        <legend>It may</legend>
        {SCOPES.map(({ scope, what }) => (
          <div class="field check" key={scope}>
            <input id={`token-scope-${scope}`} type="checkbox" checked={scopes.has(scope)} onChange={(e) => toggle(scope, e.currentTarget.checked)} />
            <label for={`token-scope-${scope}`}>
              <strong>{scope}</strong>: {what}
            </label>
          </div>
        ))}
      </fieldset>
      <div class="field">
        <label for="token-accounts">Only these accounts (addresses, comma-separated; empty: all of yours)</label>
        <input id="token-accounts" autocomplete="off" value={accounts} onInput={(e) => setAccounts(e.currentTarget.value)} />
      </div>
      <button type="submit" class="primary" disabled={submit.busy || scopes.size === 0}>
        Create token
      </button>
    </ActionForm>
  );
}

/** The revoke button of one token, with its confirmation. */
function Revoke({ row, onRevoked }: { row: Resource<AccessToken>; onRevoked(message: string): void }) {
  const [confirm, setConfirm] = useState(false);
  const name = nameOf(row);
  const revoke = useAction(async () => {
    await remove('access_token', row.id);
    setConfirm(false);
    onRevoked(`Revoked “${name}”.`);
  });
  return (
    <>
      <button type="button" class="small danger" onClick={() => setConfirm(true)} aria-label={`Revoke ${name}`}>
        Revoke
      </button>
      <ErrorText error={revoke.error} />
      <ConfirmDialog open={confirm} title={`Revoke “${name}”?`} confirmLabel="Revoke" danger busy={revoke.busy} onConfirm={() => void revoke.run()} onCancel={() => setConfirm(false)}>
        <p>Apps using this token are refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}

const nameOf = (row: Resource<AccessToken>) => row.attributes.description || 'token without a description';

function Tokens() {
  const tokens = useLoad(() => list<AccessToken>('access_token', { sort: '-created_at', 'page[size]': '200' }), []);
  const [created, setCreated] = useState<Resource<AccessToken> | null>(null);
  const [message, setMessage] = useState('');
  return (
    <section>
      <PageTitle title="API tokens" refresh={tokens.reload} busy={tokens.loading} />
      <p>
        Tokens for apps that use the mail API (<code>/v1/account/…</code>, EmailEngine's routes) or read <code>/metrics</code>. Send one as{' '}
        <code>Authorization: Bearer …</code>. A token never opens this console or the admin API.
      </p>
      {created?.attributes.token && <Secret label={`Created “${created.attributes.description}”.`} value={created.attributes.token} who="the app" what="token" />}
      {message && <Note>{message}</Note>}
      <NewToken
        onCreated={(t) => {
          setCreated(t);
          setMessage('');
          tokens.reload();
        }}
      />
      <h2>Tokens</h2>
      <ErrorText error={tokens.error} />
      {tokens.loading && !tokens.data && <Loading what="the tokens" />}
      {tokens.data && (
        <Table
          caption="Tokens"
          hideCaption
          rows={tokens.data.data}
          rowKey={(r) => r.id}
          empty="No tokens yet."
          columns={[
            { label: 'For', cell: nameOf },
            { label: 'Scopes', cell: (r) => r.attributes.scopes.join(', ') },
            { label: 'Accounts', cell: (r) => (r.attributes.accounts ? r.attributes.accounts.join(', ') : 'all') },
            { label: 'Created', cell: (r) => formatDate(r.attributes.created_at) },
            { label: 'Last used', cell: (r) => (r.attributes.last_used_at ? formatDate(r.attributes.last_used_at) : 'never') },
            { label: 'Expires', cell: (r) => (r.attributes.expires_at ? formatDate(r.attributes.expires_at) : 'never') },
            {
              label: 'Actions',
              cell: (r) => (
                <Revoke
                  row={r}
                  onRevoked={(m) => {
                    setCreated(null);
                    setMessage(m);
                    tokens.reload();
                  }}
                />
              ),
            },
          ]}
        />
      )}
    </section>
  );
}

export const page: PageDef = { path: '/tokens', title: 'API tokens', order: 55, admin: false, component: Tokens };
