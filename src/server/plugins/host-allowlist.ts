import fp from 'fastify-plugin';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SpecterError } from '../../errors/index.js';

export interface HostAllowlistOptions {
  /** The configured listen host (HOST). */
  host: string;
  /** Extra host names (reverse proxy names, an onion address); ports are ignored. */
  allowed: readonly string[];
  /** Host names that come and go while the app runs (the published onion address), asked per request. */
  dynamic?: () => readonly string[];
}

/** `Host` header → host name without port and brackets, lowercased. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colon = value.lastIndexOf(':');
  return colon > 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

function isLoopback(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

/**
 * DNS-rebinding defence: a page on another site can make the browser resolve its own name to
 * 127.0.0.1 and then read this app as "same origin" — unless the app refuses requests whose `Host`
 * is not its own. Accepted: loopback names and addresses, the configured listen host, and the
 * configured allow-list (`ALLOWED_HOSTS`, for reverse proxies and onion addresses). Everything
 * else, including a missing `Host`, is refused before any route or hook runs.
 */
async function hostAllowlist(app: FastifyInstance, options: HostAllowlistOptions): Promise<void> {
  const allowed = new Set([options.host, ...options.allowed].map((h) => hostName(h)).filter(Boolean));
  // Listening on every interface means "reach me by any of my addresses": the operator chose it.
  const any = allowed.has('0.0.0.0') || allowed.has('::');
  app.addHook('onRequest', async (request) => {
    const header = request.headers.host;
    const name = typeof header === 'string' ? hostName(header) : '';
    if (name && (allowed.has(name) || isLoopback(name) || (any && isIP(name) !== 0))) return;
    if (name && options.dynamic?.().some((h) => hostName(h) === name)) return;
    throw new SpecterError('HOST_FORBIDDEN', `Requests for host "${header ?? ''}" are refused.`, {
      hint: 'Open the app by 127.0.0.1 or localhost, or add this host name to ALLOWED_HOSTS (reverse proxies, onion addresses).',
    });
  });
}

export default fp(hostAllowlist, { name: 'host-allowlist', fastify: '5.x' });
