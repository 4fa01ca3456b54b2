// Daptin's sign-in action: POST /action/user_account/signin with
// {"attributes":{"email","password"}}; the answer is Daptin's list of client
// instructions, one of which (client.store.set, key "token") carries the token.
import type Router from '@koa/router';
import { z } from 'zod';
import { addressKey, type AuthThrottle, issueToken, type Store, verifyUserLogin } from '../../../schema/index.ts';
import type { Stats } from '../../stats.ts';
import { readJson } from '../body.ts';
import { setSessionCookie } from '../console/session.ts';
import { HttpError } from '../errors.ts';

const SigninBody = z.object({
  attributes: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
});

export function signinRoutes(router: Router, deps: { store: Store; throttle: AuthThrottle; tokenTtlMs: number; stats?: Pick<Stats, 'authFailed'> }): void {
  router.post('/action/user_account/signin', async (ctx) => {
    const parsed = SigninBody.safeParse(await readJson(ctx));
    if (!parsed.success) throw new HttpError(400, 'Bad Request', 'expected {"attributes":{"email":"…","password":"…"}}');
    const { password } = parsed.data.attributes;
    // Not an address at all: checked (and throttled) like any wrong one, so the answer says nothing more.
    const email = addressKey(parsed.data.attributes.email) ?? parsed.data.attributes.email;
    const outcome = await deps.throttle.attempt(ctx.ip, email, () => verifyUserLogin(deps.store, email, password));
    if (outcome.kind === 'refused') {
      deps.stats?.authFailed('api', ctx.ip, email, true);
      ctx.set('Retry-After', String(Math.ceil(outcome.retryAfterMs / 1000)));
      throw new HttpError(429, 'Too Many Requests', 'too many failed sign-ins; try again later');
    }
    if (outcome.kind === 'failed') {
      deps.stats?.authFailed('api', ctx.ip, email);
      throw new HttpError(401, 'Unauthorized', 'invalid email or password');
    }
    const user = outcome.value;
    const { token } = await issueToken(deps.store, user.id, deps.tokenTtlMs);
    setSessionCookie(ctx, token, deps.tokenTtlMs);
    ctx.body = [
      { ResponseType: 'client.notify', Attributes: { message: 'Logged in', title: 'Success', type: 'success' } },
      { ResponseType: 'client.store.set', Attributes: { key: 'token', value: token } },
      { ResponseType: 'client.redirect', Attributes: { delay: 2000, location: '/', window: 'self' } },
    ];
  });
}
