import type { FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import type { ApiTokenScope, User } from '../../managers/users/index.js';
import { dummyCheck, verifyPassword } from '../../persistence/index.js';
import { SpecterError } from '../../errors/index.js';
import { FailureLimiter } from '../plugins/failure-limiter.js';
import { CredentialCache } from './credential-cache.js';

/** Who an API request is, and with what. */
export interface ApiIdentity {
  user: User;
  /** The HTTP Basic password, kept for this request only (it unlocks the user secret). */
  password?: string;
  /** Set when an API token authenticated the request. */
  token?: { id: string; scope: ApiTokenScope };
}

export interface ApiAuthOptions {
  /** Failed checks per client address and minute. */
  maxFailuresPerMinute: number;
  /** How long a successful HTTP Basic check is remembered (0 = never). */
  basicCacheTtlMs: number;
  now?: () => number;
}

/** What a remembered Basic check proves: this user, while their password hash is still this one. */
interface BasicHit {
  userId: string;
  pwdhash: string;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The JSON API's authentication: API tokens (`Authorization: Bearer <token>` or, as BTCPay's
 * Greenfield API, `token <token>`) and HTTP Basic with a user's password, for compatibility.
 *
 * - A token check is a Map lookup and one SHA-256: microseconds.
 * - HTTP Basic runs Specter's 10k-iteration PBKDF2 once; a success is remembered for
 *   `basicCacheTtlMs` under an HMAC of the credentials (never the password), and dropped as soon
 *   as the user's password hash changes. Concurrent identical requests share one check.
 * - The failure limiter's slot is taken *before* a password check, so a concurrent burst cannot
 *   check more passwords than the limit; an unknown username (or a user without a password) costs
 *   one derivation against a dummy hash, exactly what a known one costs.
 *
 * In auth "none" every request is the admin, exactly like the UI (see docs/ARCHITECTURE.md).
 */
export class ApiAuthenticator {
  readonly limiter: FailureLimiter;
  readonly #basic: CredentialCache<BasicHit | undefined>;

  constructor(
    private readonly specter: Specter,
    options: ApiAuthOptions,
  ) {
    const now = options.now ?? Date.now;
    this.limiter = new FailureLimiter(options.maxFailuresPerMinute, now);
    this.#basic = new CredentialCache(options.basicCacheTtlMs, 1000, now);
  }

  async authenticate(request: FastifyRequest): Promise<ApiIdentity> {
    const specter = this.specter;
    if (specter.authMethod === 'none') return { user: specter.userManager.admin };
    const ip = request.ip;
    if (this.limiter.blocked(ip)) throw rateLimited();
    const header = request.headers.authorization ?? '';
    const token = /^(?:Bearer|token) +(\S+)$/i.exec(header);
    if (token) return this.#byToken(request, token[1]!);
    const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!basic) {
      throw new SpecterError('AUTH_REQUIRED', 'This API needs an API token or HTTP Basic authentication.', {
        hint: 'Send "Authorization: Bearer <token>" (Settings → API tokens) or "Authorization: Basic base64(username:password)".',
      });
    }
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    const user = await this.#byPassword(ip, username, password);
    return { user, password };
  }

  #byToken(request: FastifyRequest, text: string): ApiIdentity {
    const found = this.specter.apiTokens.verify(text);
    // In "passwordonly" only the admin can log in; other users' tokens do not count either.
    if (!found || (this.specter.authMethod === 'passwordonly' && found.user.id !== this.specter.userManager.admin.id)) {
      this.limiter.fail(request.ip);
      throw new SpecterError('AUTH_FAILED', 'The API token is unknown or was revoked.', { hint: 'Create a new one in Settings → API tokens.' });
    }
    if (found.scope === 'read' && !READ_METHODS.has(request.method)) {
      throw new SpecterError('AUTH_FORBIDDEN', `This API token is read-only: it cannot send ${request.method} requests.`, {
        hint: 'Use a token with the "full" scope for changes.',
      });
    }
    return { user: found.user, token: { id: found.id, scope: found.scope } };
  }

  async #byPassword(ip: string, username: string, password: string): Promise<User> {
    const method = this.specter.authMethod;
    const key = this.#basic.keyOf(method, method === 'passwordonly' ? '' : username, password);
    const remembered = this.#current(this.#basic.get(key));
    if (remembered) return remembered;
    const hit = await this.#basic.once(key, async () => {
      const slot = this.limiter.reserve(ip);
      if (!slot) throw rateLimited();
      let result: BasicHit | undefined;
      try {
        result = await this.#check(username, password);
      } catch (err) {
        slot.release(); // not a wrong password (e.g. the derivation queue is full)
        throw err;
      }
      if (result) slot.release();
      else slot.fail();
      return result;
    });
    const user = this.#current(hit);
    if (!user) throw new SpecterError('AUTH_FAILED', 'Wrong username or password.');
    this.#basic.set(key, hit);
    return user;
  }

  /** One password check: exactly one derivation whether or not the user exists. */
  async #check(username: string, password: string): Promise<BasicHit | undefined> {
    const users = this.specter.userManager;
    const user = this.specter.authMethod === 'passwordonly' ? users.admin : users.getByUsername(username);
    const stored = user?.record.password;
    if (!user || !stored) return dummyCheck(password).then(() => undefined);
    return (await verifyPassword(password, stored)) ? { userId: user.id, pwdhash: stored.pwdhash } : undefined;
  }

  /** The user a remembered check names, if they still exist with the same password hash. */
  #current(hit: BasicHit | undefined): User | undefined {
    if (!hit) return undefined;
    const user = this.specter.userManager.get(hit.userId);
    return user && user.record.password?.pwdhash === hit.pwdhash ? user : undefined;
  }
}

function rateLimited(): SpecterError {
  return new SpecterError('RATE_LIMITED', 'Too many failed API logins from this address.', { hint: 'Wait a minute, then check the credentials.' });
}
