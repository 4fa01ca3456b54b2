// Daptin-style actions: POST /action/<type>/<name> with {"attributes":{…}} and
// the subject row's UUID as "<type>_id" (top level, as Daptin's examples send
// it, or inside attributes). The answer is Daptin's list of client instructions.
import type { z } from 'zod';
import type { QueryRow, QueryTable } from '../../../schema/index.ts';
import type { Caller } from '../resources/types.ts';

export interface ActionResponse {
  ResponseType: string;
  Attributes: Record<string, unknown>;
}

export interface ActionDef {
  type: QueryTable;
  name: string;
  summary: string;
  /** admin: administrators only; user: any signed-in user (the subject must be visible to them). */
  who: 'admin' | 'user';
  /** Whether the action needs a subject row (`<type>_id`). */
  subject: boolean;
  /** Attributes the action reads; extra attributes are ignored as Daptin does. */
  attributes: z.ZodObject;
  run(caller: Caller, subject: QueryRow | null, attributes: Record<string, unknown>): Promise<ActionResponse[]>;
}

export const notify = (message: string, type: 'success' | 'error' = 'success'): ActionResponse => ({
  ResponseType: 'client.notify',
  Attributes: { message, title: type === 'success' ? 'Success' : 'Failed', type },
});

/** Daptin's file download instruction: base64 content with a name and media type. */
export const download = (name: string, contentType: string, content: string): ActionResponse => ({
  ResponseType: 'client.file.download',
  Attributes: { name, contentType, content: Buffer.from(content).toString('base64'), message: `Downloading ${name}` },
});
