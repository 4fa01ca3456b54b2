// What a resource type declares: its attributes (zod), who may see and change
// its rows, its relationships (Daptin's names), and the store calls behind writes.
import type { z } from 'zod';
import type { SecretBox } from '../../../certs/secret.ts';
import type { QueryRow, QueryTable, Store, UserAccountRow, Visibility } from '../../../schema/index.ts';

export interface ApiServices {
  store: Store;
  secret: SecretBox;
  /** The default hostname (HERON_HOSTNAME). */
  hostname: string;
}

/** The services plus the signed-in caller. */
export interface Caller extends ApiServices {
  user: UserAccountRow;
}

/**
 * A to-one relationship is a foreign-key column on this row; a to-many one is
 * the other type's rows whose `column` points at this row.
 */
export interface RelationDef {
  type: QueryTable;
  column: string;
  many?: boolean;
}

/** Who may do a write: administrators only, also the owner of a row they can see, or nobody. */
export type Writer = 'admin' | 'owner' | 'nobody';

export interface WriteInput {
  attributes: Record<string, unknown>;
  /** To-one relationships given in the body, resolved to integer keys (null clears). */
  relationships: Record<string, number | null>;
}

export interface ResourceDef {
  type: QueryTable;
  description: string;
  /** The rows a non-admin may see. */
  visibility: Visibility;
  writers: { create: Writer; update: Writer; remove: Writer };
  relations: Record<string, RelationDef>;
  /** Strict schemas: an unknown attribute is a 400, a bad value a 422. */
  createAttributes: z.ZodObject;
  updateAttributes: z.ZodObject;
  /** Relationship names accepted in bodies and ignored (Daptin sends them). */
  ignoredRelationships?: string[];
  /** Text columns that `filter=<text>` searches. */
  search: string[];
  /** Queryable columns never shown (beyond the store's own hidden ones). */
  hidden?: string[];
  /** Extra or reshaped attributes; `full` for a single-row read. */
  present?(services: ApiServices, row: QueryRow, full: boolean): Promise<Record<string, unknown>>;
  /**
   * Returns the new row's UUID; `created: false` when an identical row already existed (answered 200, not 201).
   * `once`: attributes shown in this answer only (a secret made for the row and never stored).
   */
  create?(caller: Caller, input: WriteInput): Promise<{ id: string; created: boolean; once?: Record<string, unknown> }>;
  update?(caller: Caller, row: QueryRow, input: WriteInput): Promise<void>;
  remove?(caller: Caller, row: QueryRow): Promise<void>;
}

/** The owner a new row gets: the body's user_account_id relationship when given, else the caller (as Daptin does). */
export function ownerOf(caller: Caller, relationships: WriteInput['relationships']): number | null {
  return 'user_account_id' in relationships ? relationships.user_account_id : caller.user.id;
}
