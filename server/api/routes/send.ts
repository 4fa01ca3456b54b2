// Sending by REST. Two shapes of one operation (smtpd/outbound/submit.ts):
//  - POST /action/mail_account/send_mail: Daptin's mail.send made routable,
//    {"attributes":{from, to, cc, bcc, subject, body|text, html, reply_to, attachments, reference}}.
//  - POST /v1/account/<address>/submit: EmailEngine's submit, the body is the
//    message itself ({from?, to, cc, bcc, replyTo, subject, text, html, attachments, reference});
//    who may call is the mail API's rule (a mail API token needs the send scope).
import type Router from '@koa/router';
import { z } from 'zod';
import type { OutboundDeps } from '../../../smtpd/outbound/deps.ts';
import { ComposeSchema, MailboxSchema } from '../../../smtpd/outbound/compose.ts';
import { findMailAccount, findMailByReferenceId } from '../../../schema/index.ts';
import { submitMessage } from '../../../smtpd/outbound/submit.ts';
import { currentUser } from '../auth.ts';
import { accountFor, mayUseAccount } from '../emailengine/access.ts';
import { messageNotFound } from '../emailengine/messages.ts';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';

const SendMailBody = z.object({
  attributes: ComposeSchema.extend({
    from: MailboxSchema,
    /** Daptin's name for the plain-text body. */
    body: z.string().max(20 * 1024 * 1024).optional(),
    reply_to: MailboxSchema.optional(),
    /** Daptin's; Heron always signs for the sender's domain. */
    mail_server_hostname: z.string().optional(),
  }),
});

type Issue = { path: PropertyKey[]; message: string; code: string; errors?: Issue[][] };

/** The issue to report: inside a union ("a string or an object"), the address rule's own reason rather than "Invalid input". */
function reportable(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || !issue.errors) return issue;
  for (const inner of issue.errors.flat()) {
    const found = reportable(inner);
    if (found.code === 'custom') return { ...found, path: [...issue.path, ...found.path] };
  }
  return issue;
}

function badRequest(error: z.ZodError): HttpError {
  const issue = reportable(error.issues[0] as Issue);
  return new HttpError(400, 'Bad Request', `${issue.path.join('.') || 'body'}: ${issue.message}`);
}

export function sendRoutes(router: Router, deps: OutboundDeps): void {
  router.post('/action/mail_account/send_mail', async (ctx) => {
    const user = currentUser(ctx);
    const parsed = SendMailBody.safeParse(await readJson(ctx));
    if (!parsed.success) throw badRequest(parsed.error);
    const { body, reply_to, mail_server_hostname: _ignored, ...rest } = parsed.data.attributes;
    const result = await submitMessage(deps, user, { ...rest, text: rest.text ?? body, replyTo: rest.replyTo ?? reply_to });
    ctx.body = [
      { ResponseType: 'client.notify', Attributes: { message: 'Message sent', title: 'Success', type: 'success' } },
      { ResponseType: 'mail.send', Attributes: { message_id: result.messageId, queue_ids: result.queueIds, delivered: result.delivered } },
    ];
  });

  router.post('/v1/account/:account/submit', async (ctx) => {
    // The mail API's rules (emailengine/access.ts): a mail API token needs the send scope and its accounts.
    const { caller, account } = await accountFor(ctx, deps.store, 'send');
    const parsed = ComposeSchema.safeParse(await readJson(ctx));
    if (!parsed.success) throw badRequest(parsed.error);
    const from = parsed.data.from ?? { name: '', address: account.username };
    const sender = parsed.data.from ? await findMailAccount(deps.store, parsed.data.from.address) : account;
    if (!sender || !mayUseAccount(caller, sender)) throw new HttpError(403, 'Forbidden', `you may not send as ${from.address}`);
    // As in EmailEngine, the referenced message is one of the account's own.
    const referenced = parsed.data.reference ? await findMailByReferenceId(deps.store, parsed.data.reference.message) : undefined;
    if (parsed.data.reference && referenced?.accountId !== account.id) throw messageNotFound();
    const result = await submitMessage(deps, caller.user, { ...parsed.data, from });
    ctx.body = {
      response: 'Queued for delivery',
      messageId: result.messageId,
      queueId: result.queueIds[0] ?? null,
      queueIds: result.queueIds,
      delivered: result.delivered,
    };
  });
}
