// First run: the first admin, a default mail_server for the hostname with a
// self-signed certificate, and its postmaster account. Later runs find them and
// change nothing.
import crypto from 'node:crypto';
import { generateSelfSigned, selfSignedMaterial } from '../certs/self-signed.ts';
import type { SecretBox } from '../certs/secret.ts';
import {
  countAdmins,
  createMailAccount,
  createMailServer,
  createUserAccount,
  findCertificate,
  findMailAccount,
  findMailServerByHostname,
  saveCertificate,
  type Store,
} from '../schema/index.ts';
import type { HeronConfig } from './config.ts';

export interface BootstrapResult {
  adminEmail: string;
  /** Set only when this run created the admin with a generated password. */
  generatedAdminPassword: string | null;
  adminCreated: boolean;
  postmaster: string;
  /** Set only when this run created the postmaster account. */
  postmasterPassword: string | null;
}

const randomPassword = () => crypto.randomBytes(12).toString('base64url');

export async function bootstrap(store: Store, config: HeronConfig, secret: SecretBox): Promise<BootstrapResult> {
  const adminEmail = config.adminEmail ?? `admin@${config.hostname}`;
  let generatedAdminPassword: string | null = null;
  let adminCreated = false;
  let adminId: number | null = null;
  if ((await countAdmins(store)) === 0) {
    const password = config.adminPassword ?? randomPassword();
    if (!config.adminPassword) generatedAdminPassword = password;
    const admin = await createUserAccount(store, { email: adminEmail, password, isAdmin: true, name: 'Administrator' });
    adminId = admin.id;
    adminCreated = true;
  }

  let server = await findMailServerByHostname(store, config.hostname);
  if (!server) {
    server = await createMailServer(store, { hostname: config.hostname, user_account_id: adminId });
  }
  if (!(await findCertificate(store, config.hostname))) {
    const generated = generateSelfSigned(config.hostname, ['localhost', '127.0.0.1']);
    await saveCertificate(store, config.hostname, selfSignedMaterial(generated, secret.seal), adminId);
  }

  const postmaster = `postmaster@${config.hostname}`;
  let postmasterPassword: string | null = null;
  if (!(await findMailAccount(store, postmaster))) {
    postmasterPassword = config.adminPassword ?? generatedAdminPassword ?? randomPassword();
    await createMailAccount(store, { username: postmaster, password: postmasterPassword, mailServerId: server.id, userAccountId: adminId });
  }
  return { adminEmail, generatedAdminPassword, adminCreated, postmaster, postmasterPassword };
}
