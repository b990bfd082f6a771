import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { SpecterError, isSpecterError } from '../../errors/index.js';
import { isApiPath, routePath } from './guards.js';
import { userSecretDecryptedRequired } from './extension-guards.js';

interface ErrorView {
  status: number;
  code: string;
  message: string;
  hint?: string | undefined;
}

function toErrorView(err: unknown): ErrorView {
  if (isSpecterError(err)) return { status: err.status, code: err.code, message: err.message, hint: err.hint };
  const fe = err as FastifyError;
  if (fe.code === 'FST_CSRF_INVALID_TOKEN' || fe.code === 'FST_CSRF_MISSING_SECRET') {
    return { status: 403, code: 'SPECTER_ERR_CSRF_INVALID', message: 'The form expired or did not come from this app (CSRF check failed).', hint: 'Reload the page and submit it again.' };
  }
  if (fe.statusCode === 429) {
    return { status: 429, code: 'SPECTER_ERR_RATE_LIMITED', message: 'Too many attempts.', hint: 'Wait a minute and try again.' };
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: 'SPECTER_ERR_BAD_REQUEST', message: fe.message };
  }
  return { status: 500, code: 'SPECTER_ERR_INTERNAL', message: 'Something went wrong inside Specter TS.', hint: 'The server log has the details.' };
}

/** One place turns errors into answers: JSON for the API, a page in the layout for the UI. */
export function registerErrorHandling(app: FastifyInstance, specter: Specter): void {
  app.setErrorHandler(async (err, request, reply) => {
    // A locked user secret on a page is not an error for the user: they log in again and come back.
    if (!isApiPath(routePath(request)) && request.method === 'GET' && (isSpecterError(err, 'USER_SECRET_LOCKED') || isSpecterError(err, 'USER_SECRET_UNAVAILABLE'))) {
      await userSecretDecryptedRequired(request, reply);
      if (reply.sent) return reply;
    }
    const view = toErrorView(err);
    if (view.status >= 500) specter.logger.error({ err, url: request.url }, 'request failed');
    return sendError(request, reply, view);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const err = new SpecterError('NOT_FOUND', `Nothing here: ${request.url.split('?')[0]}`, { hint: 'Check the address or use the menu.' });
    return sendError(request, reply, toErrorView(err));
  });
}

async function sendError(request: FastifyRequest, reply: FastifyReply, view: ErrorView) {
  reply.code(view.status);
  if (isApiPath(routePath(request)) || !request.headers.accept?.includes('html') && request.method !== 'GET') {
    return reply.send({ error: { code: view.code, message: view.message, hint: view.hint } });
  }
  try {
    return await reply.render('errors/error.njk', { error: view });
  } catch {
    // Rendering itself failed (e.g. a broken template): answer plainly rather than loop.
    return reply.type('text/plain; charset=utf-8').send(`${view.status} ${view.message}`);
  }
}
