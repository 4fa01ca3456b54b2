// A generated password or token, shown once with a copy button.
import { CopyButton } from './CopyButton.tsx';

export function Secret({ label, value, who, what = 'password' }: { label: string; value: string; who: string; what?: string }) {
  return (
    <div class="secret" role="status">
      <p>
        <strong>{label}</strong> Give it to {who} now: it is not stored in readable form and will not be shown again.
      </p>
      <p>
        <code class="password">{value}</code> <CopyButton text={value} label={`Copy the ${what}`} />
      </p>
    </div>
  );
}
