// certificate: TLS material per hostname. Daptin's flow creates an empty record
// and then runs generate_self_certificate (or ACME). PATCHing certificate_pem
// and private_key_pem (and root_certificate for the chain) imports material
// after checking it (certs/import.ts). Private keys are sealed at rest and never returned.
import { z } from 'zod';
import { importMaterial, ImportError } from '../../../certs/import.ts';
import { addressKeySchema, createCertificateRecord, deleteCertificate, saveCertificate, updateCertificateSettings } from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import { ownerOf, type Caller, type ResourceDef } from './types.ts';

const hostname = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, 'expected a host name');
const pem = z.string().max(256 * 1024);
const settings = {
  alt_names: z.array(hostname).max(100).optional(),
  acme_email: z.union([z.literal(''), addressKeySchema({ utf8: false })]).optional(),
  acme_directory_url: z.union([z.literal(''), z.string().url().max(2000)]).optional(),
  certificate_pem: pem.optional(),
  private_key_pem: pem.optional(),
  root_certificate: pem.optional(),
};
const Create = z.strictObject({ hostname, ...settings });
const Update = z.strictObject(settings);
type Settings = z.infer<typeof Update>;

async function applySettings(caller: Caller, id: number, host: string, a: Settings): Promise<void> {
  const { alt_names, acme_email, acme_directory_url } = a;
  if (alt_names !== undefined || acme_email !== undefined || acme_directory_url !== undefined) {
    await updateCertificateSettings(caller.store, id, {
      ...(alt_names ? { alt_names: JSON.stringify(alt_names) } : {}),
      ...(acme_email !== undefined ? { acme_email } : {}),
      ...(acme_directory_url !== undefined ? { acme_directory_url } : {}),
    });
  }
  if (a.certificate_pem === undefined && a.private_key_pem === undefined && a.root_certificate === undefined) return;
  if (!a.certificate_pem || !a.private_key_pem) {
    throw new HttpError(422, 'Unprocessable Entity', 'importing needs certificate_pem and private_key_pem together (root_certificate optional)');
  }
  try {
    const material = importMaterial(
      { hostname: host, certificatePem: a.certificate_pem, privateKeyPem: a.private_key_pem, chainPem: a.root_certificate },
      caller.secret.seal,
    );
    await saveCertificate(caller.store, host, material);
  } catch (err) {
    if (err instanceof ImportError) throw new HttpError(422, 'Unprocessable Entity', err.message);
    throw err;
  }
}

export const certificateResource: ResourceDef = {
  type: 'certificate',
  description: 'TLS certificates per hostname (self-signed, ACME or imported); private keys are write-only.',
  visibility: 'nothing',
  writers: { create: 'admin', update: 'admin', remove: 'admin' },
  relations: { user_account_id: { type: 'user_account', column: 'user_account_id' } },
  createAttributes: Create,
  updateAttributes: Update,
  search: ['hostname', 'issuer'],
  async present(_services, row) {
    return { alt_names: JSON.parse(row.alt_names as string) as unknown };
  },
  async create(caller, { attributes, relationships }) {
    const { hostname: host, ...rest } = attributes as z.infer<typeof Create>;
    const owner = ownerOf(caller, relationships);
    const row = await createCertificateRecord(caller.store, host, {}, owner);
    await applySettings(caller, row.id, row.hostname, rest);
    return { id: row.reference_id, created: true };
  },
  async update(caller, row, { attributes }) {
    await applySettings(caller, row.id, row.hostname as string, attributes as Settings);
  },
  async remove(caller, row) {
    // Listeners fall back to the default hostname's certificate; without it no TLS handshake succeeds.
    if (row.hostname === caller.hostname) throw new HttpError(409, 'Conflict', `the certificate for ${caller.hostname} is the default one; replace it (generate or import) instead`);
    await deleteCertificate(caller.store, row.id);
  },
};
