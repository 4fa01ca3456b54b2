// Who is signed in, for every component (GET /session on load; sign-in sets the cookie).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { get } from './api.ts';
import type { SessionUser } from './types.ts';

export async function fetchSession(): Promise<SessionUser> {
  const { data } = await get<{ data: { id: string; attributes: Omit<SessionUser, 'id'> } }>('/session');
  return { id: data.id, ...data.attributes };
}

export interface SessionValue {
  user: SessionUser;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in app');
  return value;
}
