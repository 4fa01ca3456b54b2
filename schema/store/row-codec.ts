// Rows between the store's types and SQL, for both engines. The column list
// comes from the Drizzle table definitions (tables.ts); booleans are stored as
// 0/1 integers on both engines and become real booleans on the way out.
import { getTableColumns, getTableName, type InferInsertModel, type InferSelectModel } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Param, Queryable } from './store.ts';

const booleans = new WeakMap<SQLiteTable, string[]>();

function booleanColumns(table: SQLiteTable): string[] {
  let names = booleans.get(table);
  if (!names) {
    names = Object.values(getTableColumns(table) as Record<string, SQLiteColumn>)
      .filter((c) => c.dataType === 'boolean')
      .map((c) => c.name);
    booleans.set(table, names);
  }
  return names;
}

/** A row as read with `SELECT *` (or a subset of its columns), with booleans decoded. */
export function rowOf<T extends SQLiteTable>(table: T, raw: unknown): InferSelectModel<T> {
  const row = raw as Record<string, unknown>;
  for (const name of booleanColumns(table)) if (name in row && row[name] !== null) row[name] = row[name] === 1 || row[name] === true;
  return row as InferSelectModel<T>;
}

export function rowOrUndefined<T extends SQLiteTable>(table: T, raw: unknown): InferSelectModel<T> | undefined {
  return raw === undefined ? undefined : rowOf(table, raw);
}

export function rowsOf<T extends SQLiteTable>(table: T, raws: unknown[]): Array<InferSelectModel<T>> {
  return raws.map((r) => rowOf(table, r));
}

type Values<T extends SQLiteTable> = { [K in keyof InferInsertModel<T>]?: InferInsertModel<T>[K] };

/** Column names and bound values for the defined entries of `values` (names come from the table, never from input). */
function assignments<T extends SQLiteTable>(table: T, values: Values<T>): { names: string[]; params: Param[] } {
  const columns = getTableColumns(table) as Record<string, SQLiteColumn>;
  const names: string[] = [];
  const params: Param[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const column = columns[key];
    if (!column) throw new Error(`${getTableName(table)} has no column ${key}`);
    names.push(`"${column.name}"`);
    params.push(typeof value === 'boolean' ? (value ? 1 : 0) : (value as Param));
  }
  return { names, params };
}

/** INSERT one row; returns it as stored (defaults filled in). */
export async function insertRow<T extends SQLiteTable>(q: Queryable, table: T, values: Values<T>): Promise<InferSelectModel<T>> {
  const { names, params } = assignments(table, values);
  const row = await q.get(
    `INSERT INTO "${getTableName(table)}" (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) RETURNING *`,
    ...params,
  );
  return rowOf(table, row);
}

/** UPDATE the rows matching `where` (SQL with `?` placeholders for `whereParams`); returns them as changed. */
export async function updateRows<T extends SQLiteTable>(
  q: Queryable,
  table: T,
  values: Values<T>,
  where: string,
  ...whereParams: Param[]
): Promise<Array<InferSelectModel<T>>> {
  const { names, params } = assignments(table, values);
  const rows = await q.all(`UPDATE "${getTableName(table)}" SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE ${where} RETURNING *`, ...params, ...whereParams);
  return rowsOf(table, rows);
}
