// POST /action/<type>/<name> for every action in server/api/actions.
import { z } from 'zod';
import { findRowByReference } from '../../../schema/index.ts';
import { readActionBody } from '../actions/body.ts';
import { ACTIONS } from '../actions/index.ts';
import { currentUser } from '../auth.ts';
import { HttpError } from '../errors.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { scopeFor } from '../query/scope.ts';
import { RESOURCES } from '../resources/index.ts';
import type { ApiServices } from '../resources/types.ts';

export function actionRoutes(routes: DocumentedRoutes, services: ApiServices): void {
  for (const action of ACTIONS) {
    const subjectKey = `${action.type}_id`;
    const attributes = z.toJSONSchema(action.attributes, { io: 'input', unrepresentable: 'any' });
    routes.add(
      {
        method: 'post',
        path: `/action/${action.type}/${action.name}`,
        summary: action.summary,
        tag: 'actions',
        auth: true,
        bodyType: 'json',
        body: {
          type: 'object',
          properties: { attributes, ...(action.subject ? { [subjectKey]: { type: 'string', description: `UUID of the ${action.type}` } } : {}) },
        },
      },
      async (ctx) => {
        const user = currentUser(ctx);
        if (action.who === 'admin' && !user.is_admin) throw new HttpError(403, 'Forbidden', 'this needs an administrator');
        const body = await readActionBody(ctx);
        const parsed = action.attributes.safeParse(body.attributes);
        if (!parsed.success) {
          throw new HttpError(422, 'Unprocessable Entity', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        }
        let subject = null;
        if (action.subject) {
          const id = body.top[subjectKey] ?? body.attributes[subjectKey];
          if (typeof id !== 'string' || id === '') throw new HttpError(400, 'Bad Request', `"${subjectKey}" (the ${action.type}'s id) is required`);
          subject = (await findRowByReference(services.store, action.type, id, scopeFor(user, RESOURCES[action.type]))) ?? null;
          if (!subject) throw new HttpError(404, 'Not Found', `${action.type} ${id} not found`);
        }
        ctx.body = await action.run({ ...services, user }, subject, parsed.data as Record<string, unknown>);
      },
    );
  }
}
