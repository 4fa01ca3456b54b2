// Messages: errors (announced at once), progress with elapsed time, success notes.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function ErrorText({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

/** Progress for a long call (ACME, DNS checks): a live region with the seconds spent. */
export function Busy({ label }: { label: string }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <p class="busy" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
      {seconds > 1 ? ` (${seconds} s)` : ''}
    </p>
  );
}

export function Note({ children }: { children: ComponentChildren }) {
  return (
    <p class="note" role="status">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <Busy label={`Loading ${what}…`} />;
}
