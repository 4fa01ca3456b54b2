// A page's heading (focused after navigation by app.tsx), with an optional Refresh button.
export function PageTitle({ title, refresh, busy }: { title: string; refresh?(): void; busy?: boolean }) {
  if (!refresh) return <h1 tabIndex={-1}>{title}</h1>;
  return (
    <div class="title-row">
      <h1 tabIndex={-1}>{title}</h1>
      <button type="button" class="small" onClick={refresh} disabled={busy}>
        Refresh
      </button>
    </div>
  );
}
