// The shell: sign-in when there is no session; otherwise a header, the
// navigation built from the page files the user may see, and the routed page
// in <main>. After each navigation the page's heading takes focus, so screen
// reader and keyboard users start at the new content.
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { action, ApiError, SIGNED_OUT_EVENT } from './api.ts';
import { Busy, ErrorText } from './components/feedback.tsx';
import { pagesFor } from './pages/registry.ts';
import { fetchSession, SessionContext, type SessionValue } from './session.tsx';
import { SignIn } from './sign-in.tsx';
import type { SessionUser } from './types.ts';

type State = { kind: 'loading' } | { kind: 'signed-out'; note?: string } | { kind: 'error'; message: string } | { kind: 'in'; user: SessionUser };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const load = () =>
    fetchSession().then(
      (user) => setState({ kind: 'in', user }),
      (err: unknown) => setState(err instanceof ApiError && err.status === 401 ? { kind: 'signed-out' } : { kind: 'error', message: String((err as Error).message) }),
    );
  useEffect(() => {
    void load();
    const ended = () => setState({ kind: 'signed-out', note: 'Your session has ended. Sign in again.' });
    window.addEventListener(SIGNED_OUT_EVENT, ended);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, ended);
  }, []);

  if (state.kind === 'loading') return <Busy label="Loading Heron…" />;
  if (state.kind === 'error') {
    return (
      <main class="center">
        <h1>Heron</h1>
        <ErrorText error={state.message} />
        <button type="button" onClick={() => void load()}>
          Try again
        </button>
      </main>
    );
  }
  if (state.kind === 'signed-out') return <SignIn note={state.note} onSignedIn={(user) => setState({ kind: 'in', user })} />;

  const session: SessionValue = {
    user: state.user,
    async signOut() {
      await action('/action/user_account/signout').catch(() => undefined);
      setState({ kind: 'signed-out', note: 'You have signed out.' });
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <LocationProvider>
        <Shell session={session} />
      </LocationProvider>
    </SessionContext.Provider>
  );
}

function focusHeading(title: string) {
  document.title = `${title} · Heron`;
  requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
}

function NotFound() {
  useEffect(() => focusHeading('Not found'), []);
  return (
    <section>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>There is no such page, or it needs an administrator.</p>
      <p>
        <a href="/">Go to the start page</a>
      </p>
    </section>
  );
}

function Shell({ session }: { session: SessionValue }) {
  const { user } = session;
  const pages = pagesFor(user.is_admin);
  const home = pages.find((p) => p.home === (user.is_admin ? 'admin' : 'user')) ?? pages[0];
  const { path } = useLocation();
  const current = path === '/' ? home : pages.find((p) => path === p.path || path.startsWith(`${p.path}/`));
  useEffect(() => {
    if (current) focusHeading(current.title);
  }, [current?.path]);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          Heron
        </a>
        <span class="who">
          {user.email}
          {user.is_admin ? ' · administrator' : ''}
        </span>
        <button type="button" class="small" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </header>
      <nav aria-label="Main">
        <ul>
          {pages.map((p) => (
            <li key={p.path}>
              <a href={p.path} aria-current={current === p ? 'page' : undefined}>
                {p.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Router>
          {[
            <Route path="/" component={home.component} />,
            ...pages.flatMap((p) => [p.path, ...(p.subpaths ?? [])].map((sub) => <Route path={sub} component={p.component} />)),
            <Route default component={NotFound} />,
          ]}
        </Router>
      </main>
    </div>
  );
}
