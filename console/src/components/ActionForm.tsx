// A form whose submit runs an action (no page load), with the action's error below it.
import type { ComponentChildren } from 'preact';
import type { Action } from './async.ts';
import { ErrorText } from './feedback.tsx';

export function ActionForm(props: { action: Action<[]>; class?: string; labelledBy?: string; before?(): void; children: ComponentChildren }) {
  return (
    <form
      class={props.class}
      aria-labelledby={props.labelledBy}
      onSubmit={(e) => {
        e.preventDefault();
        props.before?.();
        void props.action.run();
      }}
    >
      {props.children}
      <ErrorText error={props.action.error} />
    </form>
  );
}
