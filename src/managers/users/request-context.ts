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

/**
 * Runs `fn` with `user` as the current user, as a request of theirs would: a scheduler job acting
 * for one user after another reaches that user's wallets, devices and extension data.
 */
export function runAsUser<T>(user: User, fn: () => T): T {
  return requestContext.run({ user }, fn);
}
