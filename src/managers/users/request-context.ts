import { AsyncLocalStorage } from 'node:async_hooks';
import type { User } from './user.js';

/**
 * Per-request state, the TypeScript counterpart of Flask's `current_user`. The server enters it
 * for every request; scheduler jobs run outside it and must name their user explicitly.
 */
export interface RequestContext {
  user: User | undefined;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentUser(): User | undefined {
  return requestContext.getStore()?.user;
}
