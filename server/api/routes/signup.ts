// Daptin's sign-up and a sign-out action. Sign-up creates a non-admin user and
// only when the operator allows it (HERON_ALLOW_SIGNUP, off by default).
// Sign-out revokes the token the request was made with.
import { z } from 'zod';
import { addressKeySchema, createUserAccount, revokeToken, type Store } from '../../../schema/index.ts';
import { readActionBody } from '../actions/body.ts';
import { currentUser, type AuthState } from '../auth.ts';
import { clearSessionCookie } from '../console/session.ts';
import { HttpError } from '../errors.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';

const Signup = z.object({
  name: z.string().trim().max(200).optional(),
  email: addressKeySchema(),
  password: z.string().min(8).max(1024),
  passwordConfirm: z.string().optional(),
});

export function accountActionRoutes(routes: DocumentedRoutes, deps: { store: Store; allowSignup: boolean }): void {
  routes.add(
    {
      method: 'post',
      path: '/action/user_account/signup',
      summary: 'Create a (non-admin) user account, when HERON_ALLOW_SIGNUP is on',
      tag: 'actions',
      auth: false,
      bodyType: 'json',
      body: { type: 'object', properties: { attributes: z.toJSONSchema(Signup) } },
    },
    async (ctx) => {
      if (!deps.allowSignup) throw new HttpError(403, 'Forbidden', 'sign-up is disabled on this server (HERON_ALLOW_SIGNUP)');
      const parsed = Signup.safeParse((await readActionBody(ctx)).attributes);
      if (!parsed.success) {
        throw new HttpError(422, 'Unprocessable Entity', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const a = parsed.data;
      if (a.passwordConfirm !== undefined && a.passwordConfirm !== a.password) throw new HttpError(422, 'Unprocessable Entity', 'passwordConfirm does not match password');
      const user = await createUserAccount(deps.store, { email: a.email, name: a.name || undefined, password: a.password, isAdmin: false });
      ctx.status = 201;
      ctx.body = [
        { ResponseType: 'client.notify', Attributes: { message: 'Sign-up successful; sign in to continue', title: 'Success', type: 'success' } },
        { ResponseType: 'client.store.set', Attributes: { key: 'user_account_id', value: user.reference_id } },
        { ResponseType: 'client.redirect', Attributes: { delay: 2000, location: '/auth/signin', window: 'self' } },
      ];
    },
  );

  routes.add(
    { method: 'post', path: '/action/user_account/signout', summary: 'Revoke the token this request was made with', tag: 'actions', auth: true },
    async (ctx) => {
      currentUser(ctx);
      const token = (ctx.state.auth as AuthState).token!;
      await revokeToken(deps.store, token);
      clearSessionCookie(ctx);
      ctx.body = [{ ResponseType: 'client.notify', Attributes: { message: 'Signed out', title: 'Success', type: 'success' } }];
    },
  );
}
