// certificate/generate_self_certificate: fills a certificate row with a new
// self-signed certificate for its hostname (and alt_names); the key is sealed
// with the server secret. TLS listeners pick it up on the `certificate` event.
import { z } from 'zod';
import { generateSelfSigned, selfSignedMaterial } from '../../../certs/self-signed.ts';
import { saveCertificate } from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import { notify, type ActionDef } from './types.ts';

const Attributes = z.object({ hostname: z.string().optional(), days: z.coerce.number().int().min(1).max(3650).optional() });

export const generateSelfCertificate: ActionDef = {
  type: 'certificate',
  name: 'generate_self_certificate',
  summary: 'Generate a self-signed certificate for the row\'s hostname',
  who: 'admin',
  subject: true,
  attributes: Attributes,
  async run(caller, subject, attributes) {
    const row = subject!;
    const a = attributes as z.infer<typeof Attributes>;
    const hostname = row.hostname as string;
    if (a.hostname && a.hostname.trim().toLowerCase() !== hostname) {
      throw new HttpError(422, 'Unprocessable Entity', `attributes.hostname "${a.hostname}" is not this certificate's hostname (${hostname})`);
    }
    const altNames = JSON.parse(row.alt_names as string) as string[];
    const generated = generateSelfSigned(hostname, altNames, a.days);
    await saveCertificate(caller.store, hostname, selfSignedMaterial(generated, caller.secret.seal));
    return [notify(`Generated a self-signed certificate for ${hostname}`)];
  },
};
