import type { Specter } from '../specter/index.js';
import type { User } from '../managers/users/index.js';

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
    /** Reachable without login (login page, health, static). */
    public?: boolean;
    /** Opt out of the CSRF check (JSON API with HTTP Basic auth only). */
    csrf?: boolean;
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    userId: string;
    /** The user's session epoch at login (see session-user.ts). */
    epoch: number;
    flashes: Array<{ message: string; category: string }>;
    _csrf: string;
  }
}
