// user_account: people who sign in to the admin API. Admins manage everyone;
// a user sees and edits only themselves (name, email, password), never is_admin.
import { z } from 'zod';
import { addressKeySchema, createUserAccount, deleteUserAccount, updateUserAccount, verifyUserLogin } from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import type { ResourceDef } from './types.ts';

const email = addressKeySchema();
const password = z.string().min(8).max(1024);

const Create = z.strictObject({
  email,
  name: z.string().max(200).optional(),
  password,
  // Daptin's sign-up form field; must match when given.
  passwordConfirm: z.string().optional(),
  is_admin: z.boolean().optional(),
});

const Update = z.strictObject({
  email: email.optional(),
  name: z.string().max(200).optional(),
  password: password.optional(),
  /** When given, checked against the stored password first (the console's change-password form sends it). */
  current_password: z.string().max(1024).optional(),
  is_admin: z.boolean().optional(),
});

export const userAccountResource: ResourceDef = {
  type: 'user_account',
  description: 'People who sign in to the admin API.',
  visibility: 'self',
  writers: { create: 'admin', update: 'owner', remove: 'admin' },
  relations: {
    mail_account: { type: 'mail_account', column: 'user_account_id', many: true },
  },
  createAttributes: Create,
  updateAttributes: Update,
  search: ['email', 'name'],
  async create(caller, { attributes }) {
    const a = attributes as z.infer<typeof Create>;
    if (a.passwordConfirm !== undefined && a.passwordConfirm !== a.password) {
      throw new HttpError(422, 'Unprocessable Entity', 'passwordConfirm does not match password');
    }
    const row = await createUserAccount(caller.store, { email: a.email, name: a.name, password: a.password, isAdmin: a.is_admin });
    return { id: row.reference_id, created: true };
  },
  async update(caller, row, { attributes }) {
    const a = attributes as z.infer<typeof Update>;
    if (a.is_admin !== undefined && !caller.user.is_admin) throw new HttpError(403, 'Forbidden', 'only an administrator can change is_admin');
    if (a.current_password !== undefined && !(await verifyUserLogin(caller.store, row.email as string, a.current_password))) {
      throw new HttpError(422, 'Unprocessable Entity', 'current_password is not the current password');
    }
    await updateUserAccount(caller.store, row.id, { email: a.email, name: a.name, password: a.password, isAdmin: a.is_admin });
  },
  async remove(caller, row) {
    await deleteUserAccount(caller.store, row.id);
  },
};
