import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import secureSession from '@fastify/secure-session';
import csrfProtection from '@fastify/csrf-protection';
import type { Specter } from '../../specter/index.js';
import { loadSessionKey } from '../session.js';

/**
 * Sealed session cookies and the CSRF tokens bound to them, for the scope that registers this
 * plugin (the /spc scope): no other part of the app ever reads or sets the cookie.
 */
async function sessions(app: FastifyInstance, { specter }: { specter: Specter }): Promise<void> {
  const config = specter.config;
  await app.register(secureSession, {
    key: await loadSessionKey(specter.dataFolder),
    cookieName: 'specter_session',
    expiry: Number(config.SESSION_MAX_AGE),
    cookie: {
      path: String(config.SPECTER_URL_PREFIX) || '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: Boolean(config.SESSION_COOKIE_SECURE),
      maxAge: Number(config.SESSION_MAX_AGE),
    },
  });
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/secure-session',
    // Forms send the token as a field, scripts of the app's own pages as a header.
    getToken: (request) => {
      const body = request.body;
      if (typeof body === 'object' && body !== null && 'csrf_token' in body && typeof body.csrf_token === 'string') return body.csrf_token;
      const header = request.headers['x-csrf-token'];
      return typeof header === 'string' ? header : undefined;
    },
  });
}

export default fp(sessions, { name: 'sessions', fastify: '5.x' });
