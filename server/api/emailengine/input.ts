// Reading the mail API's input as EmailEngine's Joi schemas read it: booleans
// also as Y/N/true/false/1/0, dates as ISO 8601 text or epoch milliseconds,
// one value or a list where EmailEngine says `.single()`, unknown keys
// refused. A failure is EmailEngine's 400: "Invalid input" with the fields.
import type { Context } from 'koa';
import { z } from 'zod';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';

/** Joi.boolean().truthy('Y', 'true', '1').falsy('N', 'false', 0). */
export const JoiBoolean = z.union([
  z.boolean(),
  z.enum(['Y', 'y', 'true', '1']).transform(() => true),
  z.enum(['N', 'n', 'false', '0']).transform(() => false),
  z.literal(1).transform(() => true),
  z.literal(0).transform(() => false),
]);

/** Joi.date(): ISO 8601 (or any Date.parse text) or epoch milliseconds; as epoch milliseconds. */
export const JoiDate = z.union([
  z.number().int().min(0).max(8.64e15),
  z
    .string()
    .max(100)
    .refine((s) => Number.isFinite(Date.parse(s)), 'must be a valid date')
    .transform((s) => Date.parse(s)),
]);

/** Joi.array().items(item).single(): one value or a list of them. */
export const single = <T extends z.ZodType>(item: T, max = 100) => z.union([item.transform((v) => [v] as Array<z.output<T>>), z.array(item).max(max)]);

/** Query integers arrive as text. */
export const QueryInt = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^-?\d{1,10}$/, 'must be an integer').transform(Number)]).pipe(z.number().int().min(min).max(max));

export function invalidInput(error: z.ZodError): HttpError {
  const fields = error.issues.map((i) => ({ message: i.message, key: i.path.map(String).join('.') }));
  const first = fields[0];
  return new HttpError(400, 'Bad Request', `Invalid input${first ? `: ${first.key ? first.key + ': ' : ''}${first.message}` : ''}`, { fields });
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}

/** The query string, one value per key (a repeated key keeps its last value). */
export function queryOf(ctx: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : (v ?? '')]));
}

/** A route parameter (:account, :message …). */
export const pathParam = (ctx: Context, name: string): string => String((ctx.params as Record<string, string>)[name]);

/** The mail API's request bodies are small JSON documents (search objects, flag lists, paths). */
export const MAX_MAIL_API_BODY = 1024 * 1024;

export async function bodyOf<T extends z.ZodType>(ctx: Context, schema: T): Promise<z.output<T>> {
  return parse(schema, await readJson(ctx, MAX_MAIL_API_BODY));
}
