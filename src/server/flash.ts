import type { FastifyRequest } from 'fastify';
import type { ExtRequest } from '../extensions/index.js';
import { fastifyRequestOf } from './extensions/plugin-request.js';

export type FlashCategory = 'info' | 'message' | 'error' | 'warning' | 'success';

export interface FlashMessage {
  message: string;
  category: string;
}

/**
 * Shows a message on the next rendered page (Flask's `flash`). Extensions hear it first through
 * the `flash` callback; when any of them returns something (e.g. the notifications plugin showed
 * it its own way) the core flash is skipped — Specter's rule.
 */
export async function flash(req: FastifyRequest | ExtRequest, message: string, category: FlashCategory | string = 'info'): Promise<void> {
  // Extension handlers hold a narrowed view of the Fastify request (server/extensions/plugin-request.ts).
  const request = fastifyRequestOf(req);
  const handled = await request.specter?.extensionManager?.callbacks.execute('flash', message, category);
  if (handled && Object.keys(handled as object).length > 0) return;
  pushFlash(request, message, category);
}

/** Stores a flash in the session without asking extensions (used where no user exists yet). */
export function pushFlash(request: FastifyRequest, message: string, category: FlashCategory | string = 'info'): void {
  const list = (request.session.get('flashes') as FlashMessage[] | undefined) ?? [];
  list.push({ message, category });
  request.session.set('flashes', list.slice(-10));
}

export function takeFlashes(request: FastifyRequest): FlashMessage[] {
  const list = (request.session.get('flashes') as FlashMessage[] | undefined) ?? [];
  if (list.length) request.session.set('flashes', []);
  return list;
}
