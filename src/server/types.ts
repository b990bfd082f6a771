import type { Specter } from '../specter/index.js';
import type { User } from '../managers/users/index.js';

/**
 * Who may call a route. Every route declares one (in `config.access`, or inherited from its scope's
 * `routeDefaults`); the route table refuses to start an app with a route that has none, and the
 * scopes enforce it:
 * - `public`: anyone (login page, health, static files, isolated extension pages);
 * - `user`: a logged-in user (a session under /spc, credentials or a token under /api/v1), who
 *   sees only their own wallets, devices and plugin data;
 * - `admin`: a logged-in admin.
 */
export type RouteAccess = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    specter: Specter;
    /** The logged-in user (in auth mode "none": always admin), or undefined. */
    user: User | undefined;
  }
  interface FastifyReply {
    /** Renders a template inside the layout context and sends it as HTML. */
    render(template: string, context?: Record<string, unknown>): Promise<FastifyReply>;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** `url_for` name of the route (`wallets_endpoint.receive`); collected by the route table. */
    endpoint?: string;
    /** Opt out of the CSRF check (never needed by core routes; an extension may ask for it). */
    csrf?: boolean;
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    userId: string;
    /** The user's creation id: a deleted and re-created name does not inherit old sessions. */
    uid: string;
    /** The user's session epoch at login (see session-user.ts). */
    epoch: number;
    flashes: Array<{ message: string; category: string }>;
    _csrf: string;
  }
}
