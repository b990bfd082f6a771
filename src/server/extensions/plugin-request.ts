import type { FastifyRequest } from 'fastify';
import type { ExtRequest, UserInfo } from '../../extensions/index.js';

const originals = new WeakMap<object, FastifyRequest>();

/**
 * The request a plugin's handler (and its page injections) receives: the same Fastify request,
 * except that what would hand a plugin more than its context does is shadowed — `user` is
 * {id, name, isAdmin} (the app's User holds the password hash), `extension` is the serving
 * plugin's id and name (not its instance, whose context is its own), and the app root (`specter`,
 * `server`) is absent. Everything else is read through the prototype, so Fastify's methods, the
 * body, params and the session work unchanged. This is API hygiene, not a sandbox: plugins run
 * in-process (docs/extensions/capabilities.md).
 */
export function pluginRequest(request: FastifyRequest): ExtRequest {
  const user = request.user;
  const info: UserInfo | undefined = user ? Object.freeze({ id: user.id, name: user.username, isAdmin: user.isAdmin }) : undefined;
  const ext = request.extension;
  const wrapper = Object.create(request, {
    user: { value: info, enumerable: true },
    extension: { value: ext ? Object.freeze({ id: ext.id, name: ext.manifest.name }) : undefined, enumerable: true },
    specter: { value: undefined },
    server: { value: undefined },
  }) as ExtRequest;
  originals.set(wrapper, request);
  return wrapper;
}

/** The Fastify request behind a plugin's request (core helpers such as `flash` take either). */
export function fastifyRequestOf(request: FastifyRequest | ExtRequest): FastifyRequest {
  return originals.get(request) ?? (request as FastifyRequest);
}
