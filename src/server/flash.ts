import type { FastifyRequest } from 'fastify';

export type FlashCategory = 'info' | 'message' | 'error' | 'warning' | 'success';

export interface FlashMessage {
  message: string;
  category: string;
}

/** Stores a message for the next rendered page (Flask's `flash`). */
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
