import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { SpecterError, isSpecterError } from '../../errors/index.js';
import { userSecretDecryptedRequired } from './extension-guards.js';

export interface ErrorView {
  status: number;
  code: string;
  message: string;
  hint?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** Fastify's schema validation error → which field, and what is wrong with it. */
function validationView(err: FastifyError): ErrorView {
  const first = err.validation?.[0];
  const where = err.validationContext ?? 'request';
  const path = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') ?? '';
  const params = first?.params ?? {};
  const unknownKey = Array.isArray(params.keys) && typeof params.keys[0] === 'string' ? params.keys[0] : '';
  const field = path || (typeof params.missingProperty === 'string' ? params.missingProperty : unknownKey);
  const message = first?.message ?? err.message;
  return {
    status: 400,
    code: 'SPECTER_ERR_VALIDATION',
    message: field
      ? `${where === 'querystring' ? 'Query parameter' : 'Field'} "${field}" is invalid: ${message}`
      : `The ${where} is invalid: ${message}`,
    hint: 'Correct that value and send the request again.',
    // No field: the body (or query) as a whole is wrong, e.g. not a JSON object.
    details: { field: field || (where === 'querystring' ? 'query' : where), in: where },
  };
}

export function toErrorView(err: unknown): ErrorView {
  if (isSpecterError(err)) return { status: err.status, code: err.code, message: err.message, hint: err.hint, details: err.details };
  const fe = err as FastifyError;
  if (fe.validation) return validationView(fe);
  if (fe.code === 'FST_CSRF_INVALID_TOKEN' || fe.code === 'FST_CSRF_MISSING_SECRET') {
    return {
      status: 403,
      code: 'SPECTER_ERR_CSRF_INVALID',
      message: 'The form expired or did not come from this app (CSRF check failed).',
      hint: 'Reload the page and submit it again.',
    };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      code: 'SPECTER_ERR_BAD_REQUEST',
      message: 'What was sent is larger than this page accepts (1 MB for most forms).',
      hint: 'Go back and send less: paste only what the form asks for, or use a file where the page offers one.',
    };
  }
  if (fe.code === 'FST_ERR_HANDLER_TIMEOUT') {
    return {
      status: 503,
      code: 'SPECTER_ERR_TIMEOUT',
      message: 'The page took too long to answer and was stopped.',
      hint: 'Try again; if it keeps happening, the server log names what was slow.',
    };
  }
  if (fe.statusCode === 429) {
    return { status: 429, code: 'SPECTER_ERR_RATE_LIMITED', message: 'Too many attempts.', hint: 'Wait a minute and try again.' };
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: 'SPECTER_ERR_BAD_REQUEST', message: fe.message };
  }
  return { status: 500, code: 'SPECTER_ERR_INTERNAL', message: 'Something went wrong inside Specter TS.', hint: 'The server log has the details.' };
}

/**
 * A failure of an extension's route counts for its circuit breaker, and its page names it: the
 * user sees which plugin failed, not a core error.
 */
function extensionFailure(specter: Specter, request: FastifyRequest, err: unknown, view: ErrorView): ErrorView {
  const extId = request.extension?.id ?? request.routeOptions.config.extension;
  // A switched-off plugin's page is not a new failure of it.
  if (!extId || view.status < 500 || view.code === 'SPECTER_ERR_EXT_SWITCHED_OFF') return view;
  specter.extensionManager.health.recordFailure(extId, `route:${request.method} ${request.routeOptions.url ?? ''}`, err);
  const name = request.extension?.manifest.name ?? specter.extensionManager.get(extId)?.manifest.name ?? extId;
  return {
    ...view,
    message: `The plugin "${name}" failed: ${view.message}`,
    hint: 'The plugin is switched off after repeated failures; an admin can re-enable it in "Choose plugins".',
    details: { ...view.details, ext: extId },
  };
}

/**
 * One place turns errors into answers for the pages: a page in the layout, or JSON for a client
 * that does not want HTML. The JSON API scope has its own handler (api scope).
 */
async function errorHandling(app: FastifyInstance, { specter }: { specter: Specter }): Promise<void> {
  app.setErrorHandler(async (err, request, reply) => {
    // A locked user secret on a page is not an error for the user: they log in again and come back.
    if (
      request.session !== undefined &&
      request.method === 'GET' &&
      (isSpecterError(err, 'USER_SECRET_LOCKED') || isSpecterError(err, 'USER_SECRET_UNAVAILABLE'))
    ) {
      await userSecretDecryptedRequired(request, reply);
      if (reply.sent) return reply;
    }
    const view = extensionFailure(specter, request, err, toErrorView(err));
    if (view.status >= 500 && view.code !== 'SPECTER_ERR_EXT_SWITCHED_OFF') {
      const ext = view.details?.ext as string | undefined;
      specter.logger.error({ err, url: request.url, ext }, ext ? `request failed in plugin "${ext}": ${view.message}` : 'request failed');
    }
    return sendErrorPage(request, reply, view);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const err = new SpecterError('NOT_FOUND', `Nothing here: ${request.url.split('?')[0]}`, { hint: 'Check the address or use the menu.' });
    return sendErrorPage(request, reply, toErrorView(err));
  });
}

export default fp(errorHandling, { name: 'error-handling', fastify: '5.x', dependencies: ['rendering'] });

export async function sendErrorPage(request: FastifyRequest, reply: FastifyReply, view: ErrorView) {
  reply.code(view.status);
  if (!request.headers.accept?.includes('html') && request.method !== 'GET') {
    return reply.send({ error: { code: view.code, message: view.message, hint: view.hint } });
  }
  try {
    return await reply.render('errors/error.njk', { error: view });
  } catch {
    // Rendering itself failed (e.g. a broken template): answer plainly rather than loop.
    return reply.type('text/plain; charset=utf-8').send(`${view.status} ${view.message}`);
  }
}
