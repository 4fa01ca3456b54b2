// Every resource type the API serves, by JSON:API type name.
import type { QueryTable } from '../../../schema/index.ts';
import { accessTokenResource } from './access-token.ts';
import { certificateResource } from './certificate.ts';
import { mailAccountResource } from './mail-account.ts';
import { mailBoxResource } from './mail-box.ts';
import { mailServerResource } from './mail-server.ts';
import { mailResource } from './mail.ts';
import { outboxResource } from './outbox.ts';
import type { ResourceDef } from './types.ts';
import { userAccountResource } from './user-account.ts';

export const RESOURCES: Readonly<Record<QueryTable, ResourceDef>> = {
  user_account: userAccountResource,
  access_token: accessTokenResource,
  mail_server: mailServerResource,
  mail_account: mailAccountResource,
  mail_box: mailBoxResource,
  mail: mailResource,
  outbox: outboxResource,
  certificate: certificateResource,
};
