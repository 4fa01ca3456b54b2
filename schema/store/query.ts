// A generic, safe row query over the API's tables: Daptin's `query` conditions,
// free-text search, owner scoping, sorting and paging. Column names come from a
// whitelist built from the Drizzle table definitions; values are always bound
// parameters, never spliced into SQL.
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, isNull, lt, not, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as t from '../tables.ts';
import { StoreError } from './errors.ts';
import type { Store } from './store.ts';

export const QUERY_TABLES = {
  user_account: t.userAccount,
  mail_server: t.mailServer,
  mail_account: t.mailAccount,
  mail_box: t.mailBox,
  mail: t.mail,
  outbox: t.outbox,
  certificate: t.certificate,
} as const;
export type QueryTable = keyof typeof QUERY_TABLES;

/** Integer foreign-key columns and the table they point at; callers speak UUIDs (reference_id). */
export const FOREIGN_KEYS: Readonly<Record<string, QueryTable>> = {
  user_account_id: 'user_account',
  mail_server_id: 'mail_server',
  mail_account_id: 'mail_account',
  mail_box_id: 'mail_box',
};

/** Columns that are never filtered, sorted on or returned by a query. */
const NEVER = new Set(['id', 'password_hash', 'private_key_pem', 'token_hash', 'mail', 'envelope', 'bodystructure', 'mail_raw_id', 'recent_uid']);

/** Columns holding epoch milliseconds; conditions accept ISO 8601 text for them. */
const DATE_COLUMNS = new Set([
  'created_at',
  'updated_at',
  'internal_date',
  'date_header',
  'expires_at',
  'generated_at',
  'next_retry_at',
  'last_attempt_at',
  'locked_until',
]);

export type ColumnKind = 'text' | 'number' | 'boolean' | 'date' | 'reference';

export const QUERY_OPERATORS = [
  'is',
  'is not',
  'in',
  'not in',
  'contains',
  'not contains',
  'begins with',
  'ends with',
  'before',
  'after',
  'is empty',
  'is not empty',
  'is true',
  'is false',
  'less than',
  'more than',
  'like',
] as const;
export type QueryOperator = (typeof QUERY_OPERATORS)[number];

export interface QueryCondition {
  column: string;
  operator: QueryOperator;
  value?: unknown;
}

/**
 * Which rows a non-admin may see: their own user row, rows they own, rows under
 * a mail account they own, mail servers hosting one of their accounts, or nothing.
 */
export type Visibility = 'self' | 'owner' | 'account' | 'server' | 'nothing';

export interface RowQuery {
  table: QueryTable;
  conditions?: QueryCondition[];
  /** Restricts rows to what this user may see; absent for administrators. */
  scope?: { userId: number; visibility: Visibility };
  /** Case-insensitive substring over these text columns (any of them). */
  search?: { text: string; columns: string[] };
  sort?: Array<{ column: string; descending: boolean }>;
  limit?: number;
  offset?: number;
}

export type QueryRow = Record<string, unknown> & { id: number; reference_id: string };

const needle = (flag: string) => JSON.stringify(flag);

/** Derived columns Daptin users filter on; computed from the stored columns. */
function computedColumns(table: QueryTable): Record<string, { expr: SQL; kind: ColumnKind }> {
  if (table === 'mail') {
    const has = (flag: string) => ({ expr: sql`(instr(${t.mail.flags}, ${needle(flag)}) > 0)`.mapWith(Boolean), kind: 'boolean' as const });
    return {
      seen: has('\\Seen'),
      answered: has('\\Answered'),
      flagged: has('\\Flagged'),
      deleted: has('\\Deleted'),
      draft: has('\\Draft'),
      // RFC 3501 §2.3.2: \Recent is per session; here it means "no session has reported it yet".
      recent: {
        expr: sql`(${t.mail.uid} > (SELECT recent_uid FROM mail_box WHERE mail_box.id = ${t.mail.mail_box_id}))`.mapWith(Boolean),
        kind: 'boolean',
      },
    };
  }
  if (table === 'mail_box') return { nextuid: { expr: sql`${t.mailBox.uidnext}`.mapWith(Number), kind: 'number' } };
  if (table === 'certificate') {
    return { has_private_key: { expr: sql`(${t.certificate.private_key_pem} <> '')`.mapWith(Boolean), kind: 'boolean' } };
  }
  return {};
}

function tableOf(name: QueryTable): SQLiteTable {
  return QUERY_TABLES[name] as unknown as SQLiteTable;
}

function storedColumns(name: QueryTable): Record<string, SQLiteColumn> {
  return getTableColumns(tableOf(name)) as Record<string, SQLiteColumn>;
}

function kindOf(name: string, column: SQLiteColumn): ColumnKind {
  if (name in FOREIGN_KEYS) return 'reference';
  if (DATE_COLUMNS.has(name)) return 'date';
  if (column.dataType === 'boolean') return 'boolean';
  if (column.dataType === 'number') return 'number';
  return 'text';
}

/** Columns a caller may filter and sort on, with their kinds ("reference_id" is the row's UUID). */
export function queryableColumns(table: QueryTable): Record<string, ColumnKind> {
  const out: Record<string, ColumnKind> = {};
  for (const [name, column] of Object.entries(storedColumns(table))) {
    if (!NEVER.has(name) && column.dataType !== 'buffer') out[name] = kindOf(name, column);
  }
  for (const [name, c] of Object.entries(computedColumns(table))) out[name] = c.kind;
  return out;
}

function expressionFor(table: QueryTable, name: string): { expr: SQL; kind: ColumnKind } {
  const computed = computedColumns(table)[name];
  if (computed) return computed;
  const column = storedColumns(table)[name];
  if (!column || NEVER.has(name) || column.dataType === 'buffer') throw new StoreError('CANNOT', `unknown column ${name}`);
  return { expr: sql`${column}`, kind: kindOf(name, column) };
}

function bad(column: string, why: string): never {
  throw new StoreError('CANNOT', `${column}: ${why}`);
}

function scalar(column: string, kind: ColumnKind, value: unknown): string | number {
  if (kind === 'boolean') {
    if (value === true || value === 'true' || value === 1 || value === '1') return 1;
    if (value === false || value === 'false' || value === 0 || value === '0') return 0;
    return bad(column, 'expected true or false');
  }
  if (kind === 'number') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return Number.isFinite(n) ? n : bad(column, 'expected a number');
  }
  if (kind === 'date') {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    const ms = typeof value === 'string' ? (/^\d+$/.test(value) ? Number(value) : Date.parse(value)) : NaN;
    return Number.isFinite(ms) ? ms : bad(column, 'expected a date (ISO 8601 or epoch milliseconds)');
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return bad(column, 'expected a string');
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [value];
}

/** `col = (SELECT id FROM <target> WHERE reference_id = ?)` for foreign keys given as UUIDs. */
function idsOf(target: QueryTable, uuids: Array<string | number>): SQL {
  return sql`(SELECT id FROM ${sql.identifier(target)} WHERE reference_id IN (SELECT value FROM json_each(${JSON.stringify(uuids)})))`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);
const likeExpr = (expr: SQL, pattern: string, escaped: boolean) =>
  escaped ? sql`${expr} LIKE ${pattern} ESCAPE '\\'` : sql`${expr} LIKE ${pattern}`;

function condition(table: QueryTable, c: QueryCondition): SQL {
  const { expr, kind } = expressionFor(table, c.column);
  const target = FOREIGN_KEYS[c.column];
  const one = () => scalar(c.column, kind, c.value);
  switch (c.operator) {
    case 'is':
    case 'is not': {
      if (c.value === null) return c.operator === 'is' ? isNull(expr) : not(isNull(expr));
      const cond = target ? sql`${expr} IN ${idsOf(target, [one()])}` : eq(expr, one());
      return c.operator === 'is' ? cond : or(not(cond), isNull(expr))!;
    }
    case 'in':
    case 'not in': {
      const values = list(c.value).map((v) => scalar(c.column, kind, v));
      if (values.length === 0) return c.operator === 'in' ? sql`0` : sql`1`;
      if (target) return c.operator === 'in' ? sql`${expr} IN ${idsOf(target, values)}` : sql`${expr} NOT IN ${idsOf(target, values)}`;
      return c.operator === 'in' ? inArray(expr, values) : notInArray(expr, values);
    }
    case 'contains':
    case 'not contains':
    case 'begins with':
    case 'ends with': {
      if (kind !== 'text') bad(c.column, `"${c.operator}" needs a text column`);
      const s = escapeLike(String(one()));
      const pattern = c.operator === 'begins with' ? `${s}%` : c.operator === 'ends with' ? `%${s}` : `%${s}%`;
      const cond = likeExpr(expr, pattern, true);
      return c.operator === 'not contains' ? not(cond) : cond;
    }
    case 'like':
      if (kind !== 'text') bad(c.column, '"like" needs a text column');
      return likeExpr(expr, String(one()), false);
    case 'before':
    case 'after':
    case 'less than':
    case 'more than': {
      if (kind !== 'date' && kind !== 'number') bad(c.column, `"${c.operator}" needs a number or date column`);
      const v = one();
      return c.operator === 'before' || c.operator === 'less than' ? lt(expr, v) : gt(expr, v);
    }
    case 'is empty':
    case 'is not empty': {
      const empty = kind === 'text' ? or(isNull(expr), eq(expr, ''))! : isNull(expr);
      return c.operator === 'is empty' ? empty : not(empty);
    }
    case 'is true':
    case 'is false':
      if (kind !== 'boolean') bad(c.column, `"${c.operator}" needs a boolean column`);
      return eq(expr, c.operator === 'is true' ? 1 : 0);
    default:
      return bad(c.column, `unknown operator`);
  }
}

const ownedAccounts = (userId: number) => sql`(SELECT id FROM mail_account WHERE user_account_id = ${userId})`;

function scopeCondition(table: QueryTable, scope: NonNullable<RowQuery['scope']>): SQL {
  const cols = storedColumns(table);
  switch (scope.visibility) {
    case 'self':
      return eq(cols.id, scope.userId);
    case 'owner':
      return eq(cols.user_account_id, scope.userId);
    case 'account':
      return sql`${cols.mail_account_id} IN ${ownedAccounts(scope.userId)}`;
    case 'server':
      return sql`${cols.id} IN (SELECT mail_server_id FROM mail_account WHERE user_account_id = ${scope.userId})`;
    case 'nothing':
      return sql`0`;
  }
}

function whereOf(q: RowQuery): SQL | undefined {
  const parts: SQL[] = (q.conditions ?? []).map((c) => condition(q.table, c));
  if (q.scope) parts.push(scopeCondition(q.table, q.scope));
  if (q.search && q.search.text !== '') {
    const pattern = `%${escapeLike(q.search.text)}%`;
    const any = q.search.columns.map((name) => likeExpr(expressionFor(q.table, name).expr, pattern, true));
    parts.push(any.length > 0 ? or(...any)! : sql`0`);
  }
  return parts.length > 0 ? and(...parts) : undefined;
}

/** Rows matching a query (every stored column plus the computed ones) and the total without paging. */
export async function queryRows(store: Store, q: RowQuery): Promise<{ rows: QueryRow[]; total: number }> {
  const table = tableOf(q.table);
  const where = whereOf(q);
  const total = store.db.select({ n: count() }).from(table).where(where).get()?.n ?? 0;
  const selection: Record<string, SQL | SQLiteColumn> = { ...storedColumns(q.table) };
  for (const [name, c] of Object.entries(computedColumns(q.table))) selection[name] = c.expr;
  const order = (q.sort ?? []).map((s) => (s.descending ? desc(expressionFor(q.table, s.column).expr) : asc(expressionFor(q.table, s.column).expr)));
  order.push(asc(storedColumns(q.table).id));
  const rows = store.db
    .select(selection)
    .from(table)
    .where(where)
    .orderBy(...order)
    .limit(q.limit ?? -1)
    .offset(q.offset ?? 0)
    .all() as QueryRow[];
  return { rows, total };
}

/** One row by its UUID, if it exists and the scope allows it. */
export async function findRowByReference(store: Store, table: QueryTable, referenceId: string, scope?: RowQuery['scope']): Promise<QueryRow | undefined> {
  const { rows } = await queryRows(store, { table, conditions: [{ column: 'reference_id', operator: 'is', value: referenceId }], scope, limit: 1 });
  return rows[0];
}

/** UUIDs for integer keys of one table. */
export async function referencesFor(store: Store, table: QueryTable, ids: Iterable<number>): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const cols = storedColumns(table);
  const rows = store.db
    .select({ id: cols.id, ref: cols.reference_id })
    .from(tableOf(table))
    .where(inArray(cols.id, unique))
    .all() as Array<{ id: number; ref: string }>;
  return new Map(rows.map((r) => [r.id, r.ref]));
}

