// Every action the API serves at /action/<type>/<name>.
import { downloadCertificate, downloadPublicKey } from './certificate-download.ts';
import { generateSelfCertificate } from './certificate-generate_self_certificate.ts';
import { mailBoxStatus } from './mail_box-status.ts';
import { syncMailServers } from './mail_server-sync_mail_servers.ts';
import type { ActionDef } from './types.ts';

export const ACTIONS: readonly ActionDef[] = [syncMailServers, mailBoxStatus, generateSelfCertificate, downloadCertificate, downloadPublicKey];
