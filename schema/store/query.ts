// A generic, safe row query over the API's tables: Daptin's `query` conditions,
// free-text search, owner scoping, sorting and paging, as SQL for either engine.
// Column names come from a whitelist built from the Drizzle table definitions
// (and are quoted); values are always bound parameters, never spliced into SQL.
import { getTableColumns } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as t from '../tables.ts';
import type { Dialect } from '../engine/engine.ts';
import { StoreError } from './errors.ts';
import { rowOf } from './row-codec.ts';
import { SORT_KEY_COLUMNS } from './sort-keys.ts';
import type { Param, Store } from './store.ts';

export const QUERY_TABLES = {
  user_account: t.userAccount,
  access_token: t.accessToken,
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
const NEVER = new Set<string>([
  'id', 'password_hash', 'private_key_pem', 'token_hash', 'mail', 'envelope', 'bodystructure', 'mail_raw_id', 'recent_uid',
  ...SORT_KEY_COLUMNS,
]);

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
  'last_used_at',
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

/** A piece of SQL with its bound parameters. */
interface Fragment {
  sql: string;
  params: Param[];
}

const fragment = (sql: string, ...params: Param[]): Fragment => ({ sql, params });

function joined(parts: Fragment[], separator: string): Fragment {
  return { sql: parts.map((p) => p.sql).join(separator), params: parts.flatMap((p) => p.params) };
}

const TRUE = fragment('1 = 1');
const FALSE = fragment('1 = 0');

const column = (table: QueryTable, name: string) => `"${table}"."${name}"`;
const asBoolean = (condition: string) => `(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;

interface Computed {
  expr: Fragment;
  kind: ColumnKind;
}

/** Derived columns Daptin users filter on; computed from the stored columns. Booleans are 0/1. */
function computedColumns(table: QueryTable, d: Dialect): Record<string, Computed> {
  if (table === 'mail') {
    const has = (flag: string): Computed => ({
      expr: fragment(asBoolean(`${d.instr}(${column('mail', 'flags')}, ?) > 0`), JSON.stringify(flag)),
      kind: 'boolean',
    });
    return {
      seen: has('\\Seen'),
      answered: has('\\Answered'),
      flagged: has('\\Flagged'),
      deleted: has('\\Deleted'),
      draft: has('\\Draft'),
      // RFC 3501 §2.3.2: \Recent is per session; here it means "no session has reported it yet".
      recent: {
        expr: fragment(asBoolean(`${column('mail', 'uid')} > (SELECT recent_uid FROM mail_box WHERE mail_box.id = ${column('mail', 'mail_box_id')})`)),
        kind: 'boolean',
      },
    };
  }
  if (table === 'mail_box') return { nextuid: { expr: fragment(column('mail_box', 'uidnext')), kind: 'number' } };
  if (table === 'certificate') return { has_private_key: { expr: fragment(asBoolean(`${column('certificate', 'private_key_pem')} <> ''`)), kind: 'boolean' } };
  return {};
}

/** The computed column names and kinds, which do not depend on the engine. */
const computedKinds = (table: QueryTable) => computedColumns(table, { instr: 'instr' } as Dialect);

function tableOf(name: QueryTable): SQLiteTable {
  return QUERY_TABLES[name] as unknown as SQLiteTable;
}

function storedColumns(name: QueryTable): Record<string, SQLiteColumn> {
  return getTableColumns(tableOf(name)) as Record<string, SQLiteColumn>;
}

function kindOf(name: string, c: SQLiteColumn): ColumnKind {
  if (name in FOREIGN_KEYS) return 'reference';
  if (DATE_COLUMNS.has(name)) return 'date';
  if (c.dataType === 'boolean') return 'boolean';
  if (c.dataType === 'number') return 'number';
  return 'text';
}

/** Columns a caller may filter and sort on, with their kinds ("reference_id" is the row's UUID). */
export function queryableColumns(table: QueryTable): Record<string, ColumnKind> {
  const out: Record<string, ColumnKind> = {};
  for (const [name, c] of Object.entries(storedColumns(table))) {
    if (!NEVER.has(name) && c.dataType !== 'buffer') out[name] = kindOf(name, c);
  }
  for (const [name, c] of Object.entries(computedKinds(table))) out[name] = c.kind;
  return out;
}

function expressionFor(table: QueryTable, name: string, d: Dialect): Computed {
  const computed = computedColumns(table, d)[name];
  if (computed) return computed;
  const c = storedColumns(table)[name];
  if (!c || NEVER.has(name) || c.dataType === 'buffer') throw new StoreError('CANNOT', `unknown column ${name}`);
  return { expr: fragment(column(table, c.name)), kind: kindOf(name, c) };
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

/** `(SELECT id FROM <target> WHERE reference_id IN …)` for foreign keys given as UUIDs. */
function idsOf(target: QueryTable, uuids: Array<string | number>, d: Dialect): Fragment {
  return fragment(`(SELECT id FROM "${target}" WHERE reference_id IN ${d.textList})`, JSON.stringify(uuids.map(String)));
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);
const likeExpr = (expr: Fragment, pattern: string, escaped: boolean, d: Dialect): Fragment =>
  fragment(`${expr.sql} ${d.likeNoCase} ?${escaped ? ` ESCAPE '\\'` : ''}`, ...expr.params, pattern);
const not = (f: Fragment): Fragment => ({ sql: `NOT (${f.sql})`, params: f.params });
const isNull = (expr: Fragment): Fragment => ({ sql: `${expr.sql} IS NULL`, params: expr.params });
const compare = (expr: Fragment, op: string, value: Param): Fragment => fragment(`${expr.sql} ${op} ?`, ...expr.params, value);
const within = (expr: Fragment, op: 'IN' | 'NOT IN', set: Fragment): Fragment => fragment(`${expr.sql} ${op} ${set.sql}`, ...expr.params, ...set.params);

function condition(table: QueryTable, c: QueryCondition, d: Dialect): Fragment {
  const { expr, kind } = expressionFor(table, c.column, d);
  const target = FOREIGN_KEYS[c.column];
  const one = () => scalar(c.column, kind, c.value);
  switch (c.operator) {
    case 'is':
    case 'is not': {
      if (c.value === null) return c.operator === 'is' ? isNull(expr) : not(isNull(expr));
      const cond = target ? within(expr, 'IN', idsOf(target, [one()], d)) : compare(expr, '=', one());
      return c.operator === 'is' ? cond : joined([fragment('('), not(cond), fragment(' OR '), isNull(expr), fragment(')')], '');
    }
    case 'in':
    case 'not in': {
      const values = list(c.value).map((v) => scalar(c.column, kind, v));
      if (values.length === 0) return c.operator === 'in' ? FALSE : TRUE;
      const op = c.operator === 'in' ? 'IN' : 'NOT IN';
      if (target) return within(expr, op, idsOf(target, values, d));
      return within(expr, op, fragment(`(${values.map(() => '?').join(', ')})`, ...values));
    }
    case 'contains':
    case 'not contains':
    case 'begins with':
    case 'ends with': {
      if (kind !== 'text') bad(c.column, `"${c.operator}" needs a text column`);
      const s = escapeLike(String(one()));
      const pattern = c.operator === 'begins with' ? `${s}%` : c.operator === 'ends with' ? `%${s}` : `%${s}%`;
      const cond = likeExpr(expr, pattern, true, d);
      return c.operator === 'not contains' ? not(cond) : cond;
    }
    case 'like':
      if (kind !== 'text') bad(c.column, '"like" needs a text column');
      return likeExpr(expr, String(one()), false, d);
    case 'before':
    case 'after':
    case 'less than':
    case 'more than': {
      if (kind !== 'date' && kind !== 'number') bad(c.column, `"${c.operator}" needs a number or date column`);
      return compare(expr, c.operator === 'before' || c.operator === 'less than' ? '<' : '>', one());
    }
    case 'is empty':
    case 'is not empty': {
      const empty = kind === 'text' ? joined([fragment('('), isNull(expr), fragment(' OR '), compare(expr, '=', ''), fragment(')')], '') : isNull(expr);
      return c.operator === 'is empty' ? empty : not(empty);
    }
    case 'is true':
    case 'is false':
      if (kind !== 'boolean') bad(c.column, `"${c.operator}" needs a boolean column`);
      return compare(expr, '=', c.operator === 'is true' ? 1 : 0);
    default:
      return bad(c.column, `unknown operator`);
  }
}

const OWNED_ACCOUNTS = '(SELECT id FROM mail_account WHERE user_account_id = ?)';

function scopeCondition(table: QueryTable, scope: NonNullable<RowQuery['scope']>): Fragment {
  switch (scope.visibility) {
    case 'self':
      return fragment(`${column(table, 'id')} = ?`, scope.userId);
    case 'owner':
      return fragment(`${column(table, 'user_account_id')} = ?`, scope.userId);
    case 'account':
      return fragment(`${column(table, 'mail_account_id')} IN ${OWNED_ACCOUNTS}`, scope.userId);
    case 'server':
      return fragment(`${column(table, 'id')} IN (SELECT mail_server_id FROM mail_account WHERE user_account_id = ?)`, scope.userId);
    case 'nothing':
      return FALSE;
  }
}

function whereOf(q: RowQuery, d: Dialect): Fragment {
  const parts: Fragment[] = (q.conditions ?? []).map((c) => condition(q.table, c, d));
  if (q.scope) parts.push(scopeCondition(q.table, q.scope));
  if (q.search && q.search.text !== '') {
    const pattern = `%${escapeLike(q.search.text)}%`;
    const any = q.search.columns.map((name) => likeExpr(expressionFor(q.table, name, d).expr, pattern, true, d));
    parts.push(any.length > 0 ? joined([fragment('('), joined(any, ' OR '), fragment(')')], '') : FALSE);
  }
  if (parts.length === 0) return fragment('');
  const where = joined(
    parts.map((p) => ({ sql: `(${p.sql})`, params: p.params })),
    ' AND ',
  );
  return { sql: ` WHERE ${where.sql}`, params: where.params };
}

/** Rows matching a query (every stored column plus the computed ones) and the total without paging. */
export async function queryRows(store: Store, q: RowQuery): Promise<{ rows: QueryRow[]; total: number }> {
  const d = store.dialect;
  const where = whereOf(q, d);
  const total = (await store.get<{ n: number }>(`SELECT count(*) AS n FROM "${q.table}"${where.sql}`, ...where.params))?.n ?? 0;
  const computed = computedColumns(q.table, d);
  const selection: Fragment[] = Object.values(storedColumns(q.table)).map((c) => fragment(column(q.table, c.name)));
  for (const [name, c] of Object.entries(computed)) selection.push({ sql: `${c.expr.sql} AS "${name}"`, params: c.expr.params });
  const order: Fragment[] = (q.sort ?? []).map((s) => {
    const { expr } = expressionFor(q.table, s.column, d);
    // SQLite's default NULL order, spelled out so that PostgreSQL sorts the same way.
    return { sql: `${expr.sql} ${s.descending ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`, params: expr.params };
  });
  order.push(fragment(`${column(q.table, 'id')} ASC`));
  const select = joined(selection, ', ');
  const orderBy = joined(order, ', ');
  const raw = await store.all<Record<string, unknown>>(
    `SELECT ${select.sql} FROM "${q.table}"${where.sql} ORDER BY ${orderBy.sql} LIMIT ? OFFSET ?`,
    ...select.params,
    ...where.params,
    ...orderBy.params,
    q.limit ?? d.noLimit,
    q.offset ?? 0,
  );
  const rows = raw.map((r) => {
    const row = rowOf(tableOf(q.table), r) as Record<string, unknown>;
    for (const [name, c] of Object.entries(computed)) {
      if (row[name] !== null) row[name] = c.kind === 'boolean' ? row[name] === 1 || row[name] === true : Number(row[name]);
    }
    return row as QueryRow;
  });
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
  const rows = await store.all<{ id: number; ref: string }>(
    `SELECT id, reference_id AS ref FROM "${table}" WHERE id IN ${store.dialect.intList}`,
    JSON.stringify(unique),
  );
  return new Map(rows.map((r) => [r.id, r.ref]));
}
