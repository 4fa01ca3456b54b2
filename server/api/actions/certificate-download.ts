// certificate/download_certificate and certificate/download_public_key: Daptin's
// client.file.download answers (base64 content). Private keys are never offered.
import { z } from 'zod';
import type { QueryRow } from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import { download, type ActionDef } from './types.ts';

function material(row: QueryRow, column: 'certificate_pem' | 'public_key_pem'): string {
  const value = row[column] as string;
  if (!value) throw new HttpError(422, 'Unprocessable Entity', `certificate for ${row.hostname as string} has no material yet; generate or import it first`);
  return value;
}

export const downloadCertificate: ActionDef = {
  type: 'certificate',
  name: 'download_certificate',
  summary: 'Download the certificate (with its chain) as PEM',
  who: 'admin',
  subject: true,
  attributes: z.object({}),
  async run(_caller, subject) {
    const row = subject!;
    const pem = material(row, 'certificate_pem').trim() + '\n' + ((row.root_certificate as string) || '');
    return [download(`${row.hostname as string}.pem.crt`, 'application/x-x509-ca-cert', pem)];
  },
};

export const downloadPublicKey: ActionDef = {
  type: 'certificate',
  name: 'download_public_key',
  summary: 'Download the certificate\'s public key as PEM',
  who: 'admin',
  subject: true,
  attributes: z.object({}),
  async run(_caller, subject) {
    const row = subject!;
    return [download(`${row.hostname as string}.pem.pub`, 'application/x-pem-file', material(row, 'public_key_pem'))];
  },
};
