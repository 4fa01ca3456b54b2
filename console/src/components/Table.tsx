// A data table with a caption; below 40rem each row becomes a card and every
// cell shows its column's name (data-label), so nothing scrolls sideways.
import type { ComponentChildren } from 'preact';

export interface Column<T> {
  label: string;
  cell(row: T): ComponentChildren;
  /** Right-align numbers. */
  numeric?: boolean;
}

export function Table<T>(props: { caption: string; columns: Column<T>[]; rows: T[]; rowKey(row: T): string; empty: string; hideCaption?: boolean }) {
  if (props.rows.length === 0) return <p class="empty">{props.empty}</p>;
  return (
    <table class="data">
      <caption class={props.hideCaption ? 'visually-hidden' : undefined}>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th scope="col" class={c.numeric ? 'num' : undefined}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)}>
            {props.columns.map((c) => (
              <td data-label={c.label} class={c.numeric ? 'num' : undefined}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
