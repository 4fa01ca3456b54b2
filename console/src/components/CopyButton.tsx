// Copies a value to the clipboard; says so in a live region. The Clipboard API
// needs a secure context (https or localhost), so plain http elsewhere falls
// back to selecting a hidden textarea and execCommand('copy').
import { useState } from 'preact/hooks';

async function copy(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy failed');
}

/** `label` names what is copied for screen readers; it starts with the visible `children` (WCAG 2.5.3). */
export function CopyButton({ text, label, children = 'Copy' }: { text: string; label: string; children?: string }) {
  const [said, setSaid] = useState('');
  return (
    <span class="copy">
      <button
        type="button"
        class="small"
        aria-label={label}
        onClick={() =>
          copy(text).then(
            () => setSaid('Copied'),
            () => setSaid('Could not copy; select the text instead'),
          )
        }
      >
        {children}
      </button>
      <span class="copy-said" role="status">
        {said}
      </span>
    </span>
  );
}
