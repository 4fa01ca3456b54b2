// ACME: Daptin's generate_acme_certificate action, and the HTTP-01 challenge
// answers on the API port (/.well-known/acme-challenge/<token>, no sign-in).
import type Router from '@koa/router';
import { z } from 'zod';
import type { ChallengeStore } from '../../../certs/acme/challenges.ts';
import { AcmeError, type AcmeIssuer } from '../../../certs/acme/client.ts';
import { addressKeySchema, type CertificateRow, listCertificates, type Store } from '../../../schema/index.ts';
import type { HeronConfig } from '../../config.ts';
import { requireAdmin } from '../auth.ts';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';
import { DnsName } from './dns-name.ts';

const GenerateBody = z.object({
  attributes: z
    .object({
      hostname: DnsName.optional(),
      certificate_id: z.string().uuid().optional(),
      email: addressKeySchema({ utf8: false }).optional(),
      directory_url: z.url({ protocol: /^https?$/ }).optional(),
      alt_names: z.array(DnsName).max(50).optional(),
    })
    .refine((a) => a.hostname || a.certificate_id, 'give hostname or certificate_id'),
});

/** Public view of a certificate row: never the private key. */
export function certificateView(row: CertificateRow) {
  return {
    type: 'certificate',
    id: row.reference_id,
    attributes: {
      hostname: row.hostname,
      source: row.source,
      issuer: row.issuer,
      alt_names: JSON.parse(row.alt_names) as string[],
      acme_email: row.acme_email,
      acme_directory_url: row.acme_directory_url,
      generated_at: row.generated_at,
      expires_at: row.expires_at,
      last_error: row.last_error,
      certificate_pem: row.certificate_pem,
      root_certificate: row.root_certificate,
    },
  };
}

export function acmeRoutes(
  router: Router,
  deps: { store: Store; config: HeronConfig; challenges: ChallengeStore; acme: AcmeIssuer },
): void {
  router.get('/.well-known/acme-challenge/:token', async (ctx) => {
    const answer = await deps.challenges.answer(ctx.path);
    if (answer === undefined) throw new HttpError(404, 'Not Found', 'no such ACME challenge');
    ctx.type = 'text/plain';
    ctx.body = answer;
  });

  router.post('/action/certificate/generate_acme_certificate', async (ctx) => {
    requireAdmin(ctx);
    const parsed = GenerateBody.safeParse(await readJson(ctx, 64 * 1024));
    if (!parsed.success) {
      throw new HttpError(400, 'Bad Request', `expected {"attributes":{"hostname"|"certificate_id","email"?,"directory_url"?,"alt_names"?}}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    const a = parsed.data.attributes;
    let hostname = a.hostname;
    if (!hostname) {
      const row = (await listCertificates(deps.store)).find((c) => c.reference_id === a.certificate_id);
      if (!row) throw new HttpError(404, 'Not Found', 'no certificate with that id');
      hostname = row.hostname;
    }
    const email = a.email ?? deps.config.acme.email;
    if (!email) throw new HttpError(400, 'Bad Request', 'give "email" (the ACME account contact) or set HERON_ACME_EMAIL');
    try {
      const row = await deps.acme.issue({
        hostname,
        altNames: a.alt_names ?? [],
        email,
        directoryUrl: a.directory_url ?? deps.config.acme.directoryUrl,
      });
      ctx.body = { data: certificateView(row) };
    } catch (err) {
      if (err instanceof AcmeError) throw new HttpError(502, 'Bad Gateway', `ACME issuance failed: ${err.message}`);
      throw err;
    }
  });
}
