// DKIM key actions (admin only): generate a key for a hosted domain (a new
// selector for rotation), make a selector the signing one, list keys with the
// TXT record each needs. Private keys never leave the store.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { DEFAULT_DKIM_SELECTOR, dkimTxtValue, generateDkimKeyPair } from '../../../certs/dkim.ts';
import type { SecretBox } from '../../../certs/secret.ts';
import { activateDkimKey, addDkimKey, type DkimKeyRow, listDkimKeys, listHostedDomains, type Store } from '../../../schema/index.ts';
import { requireAdmin } from '../auth.ts';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';
import { DnsName } from './dns-name.ts';

// RFC 6376 §3.1: a selector is one or more dot-separated sub-domain labels.
const Selector = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, 'expected a selector such as d1').max(63));

const GenerateBody = z.object({
  attributes: z.object({
    domain: DnsName,
    selector: Selector.optional(),
    algorithm: z.enum(['rsa', 'ed25519']).default('rsa'),
    /** Sign with it at once; by default only a domain's first key signs (publish, then activate). */
    activate: z.boolean().optional(),
  }),
});
const ActivateBody = z.object({ attributes: z.object({ domain: DnsName, selector: Selector }) });
const ListBody = z.object({ attributes: z.object({ domain: DnsName.optional() }).default({}) });

export function dkimKeyView(key: DkimKeyRow) {
  return {
    type: 'dkim_key',
    id: key.reference_id,
    attributes: {
      domain: key.domain,
      selector: key.selector,
      algorithm: key.algorithm,
      is_active: key.is_active,
      dns_name: `${key.selector}._domainkey.${key.domain}`,
      dns_txt: dkimTxtValue(key),
      public_key_pem: key.public_key_pem,
      created_at: key.created_at,
    },
  };
}

async function body<T>(ctx: Context, schema: z.ZodType<T>, shape: string): Promise<T> {
  const parsed = schema.safeParse(await readJson(ctx, 64 * 1024));
  if (!parsed.success) throw new HttpError(400, 'Bad Request', `expected ${shape}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function requireHosted(store: Store, domain: string): Promise<void> {
  if (!(await listHostedDomains(store)).includes(domain)) {
    throw new HttpError(422, 'Unprocessable Entity', `${domain} is not a hosted domain (add a mail_server or mail_domain first)`);
  }
}

/** The first free selector d1, d2, … for a domain. */
function nextSelector(existing: DkimKeyRow[]): string {
  const taken = new Set(existing.map((k) => k.selector));
  for (let n = 1; ; n++) if (!taken.has(`d${n}`)) return n === 1 ? DEFAULT_DKIM_SELECTOR : `d${n}`;
}

export function dkimRoutes(router: Router, deps: { store: Store; secret: SecretBox }): void {
  router.post('/action/dkim_key/generate', async (ctx) => {
    requireAdmin(ctx);
    const a = (await body(ctx, GenerateBody, '{"attributes":{"domain","selector"?,"algorithm"?:"rsa"|"ed25519","activate"?}}')).attributes;
    await requireHosted(deps.store, a.domain);
    const existing = await listDkimKeys(deps.store, a.domain);
    const { privateKeyPem, publicKeyPem } = generateDkimKeyPair(a.algorithm);
    const key = await addDkimKey(deps.store, {
      domain: a.domain,
      selector: a.selector ?? nextSelector(existing),
      algorithm: a.algorithm,
      sealedPrivateKeyPem: deps.secret.seal(privateKeyPem),
      publicKeyPem,
      activate: a.activate ?? !existing.some((k) => k.is_active),
    });
    ctx.status = 201;
    ctx.body = { data: dkimKeyView(key) };
  });

  router.post('/action/dkim_key/activate', async (ctx) => {
    requireAdmin(ctx);
    const a = (await body(ctx, ActivateBody, '{"attributes":{"domain","selector"}}')).attributes;
    await activateDkimKey(deps.store, a.domain, a.selector);
    ctx.body = { data: (await listDkimKeys(deps.store, a.domain)).map(dkimKeyView) };
  });

  const list = async (ctx: Context, domain: string | undefined) => {
    requireAdmin(ctx);
    ctx.body = { data: (await listDkimKeys(deps.store, domain)).map(dkimKeyView) };
  };
  router.post('/action/dkim_key/list', async (ctx) => {
    await list(ctx, (await body(ctx, ListBody, '{"attributes":{"domain"?}}')).attributes.domain);
  });
  router.get('/action/dkim_key/list', async (ctx) => {
    const domain = typeof ctx.query.domain === 'string' ? DnsName.safeParse(ctx.query.domain) : undefined;
    if (domain && !domain.success) throw new HttpError(400, 'Bad Request', 'domain is not a DNS name');
    await list(ctx, domain?.data);
  });
}
