// The sign-in form: the API's own sign-in action (same accounts, same throttle),
// which also sets the HttpOnly session cookie. The token in its answer is not
// kept: the cookie is the session.
import { useEffect, useRef, useState } from 'preact/hooks';
import { action } from './api.ts';
import { fetchSession } from './session.tsx';
import { useAction } from './components/async.ts';
import { ErrorText, Note } from './components/feedback.tsx';
import type { SessionUser } from './types.ts';

export function SignIn({ note, onSignedIn }: { note?: string; onSignedIn(user: SessionUser): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = 'Sign in · Heron';
  }, []);
  const signIn = useAction(async () => {
    await action('/action/user_account/signin', { email: email.trim(), password });
    onSignedIn(await fetchSession());
  });
  return (
    <main class="center signin" id="main">
      <h1 ref={heading}>
        <img src="/favicon.svg" alt="" width="32" height="32" /> Heron
      </h1>
      {note && <Note>{note}</Note>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void signIn.run();
        }}
      >
        <div class="field">
          <label for="signin-email">Email</label>
          <input id="signin-email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="signin-password">Password</label>
          <input
            id="signin-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <ErrorText error={signIn.error} />
        <button type="submit" class="primary" disabled={signIn.busy}>
          {signIn.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <details class="help">
        <summary>First time here?</summary>
        <p>
          Sign in as the first administrator. <code>npm start</code> printed its email and password when Heron started for the first time (or they
          are <code>HERON_ADMIN_EMAIL</code> and <code>HERON_ADMIN_PASSWORD</code>). The owner of a mail account signs in with the address and
          password the administrator gave them.
        </p>
      </details>
    </main>
  );
}
