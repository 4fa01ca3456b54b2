// Which rows a caller may see of a type: administrators everything, others what
// the type's visibility rule allows.
import type { RowQuery, UserAccountRow } from '../../../schema/index.ts';
import type { ResourceDef } from '../resources/types.ts';

export function scopeFor(user: UserAccountRow, def: ResourceDef): RowQuery['scope'] {
  return user.is_admin ? undefined : { userId: user.id, visibility: def.visibility };
}
