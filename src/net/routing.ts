/**
 * Which way an outgoing connection goes: direct, or through the SOCKS proxy (Tor). One place
 * decides, for the host HTTP client and the Bitcoin Core RPC client alike.
 *
 * - `.onion` hosts always go through the proxy; with no proxy configured that is an error
 *   (`NET_TOR_REQUIRED`), never a direct attempt (it would leak the address to the DNS resolver).
 * - `only_tor` sends every HTTP request through the proxy. The RPC client keeps Specter's rule:
 *   a node on a private address (localhost, 10/8, 172.16/12, 192.168/16) is reached directly.
 * - Names are always resolved by the proxy (`socks5h`): a `socks5://` URL is treated as
 *   `socks5h://`, so no host name of a Tor-routed request reaches the local resolver.
 * - Stream isolation: HTTP requests carry random SOCKS credentials, so Tor puts each on its own
 *   circuit (Specter does the same). A proxy URL that carries its own credentials keeps them.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { SpecterError } from '../errors/index.js';

/** What routing needs to know, read per request (settings can change while the app runs). */
export interface ProxySettings {
  /** The SOCKS proxy URL (e.g. `socks5h://127.0.0.1:9050`), or null when no Tor is configured. */
  proxyUrl: string | null;
  /** Send everything through the proxy. */
  onlyTor: boolean;
  /** Tor is configured but cannot be used now (the built-in Tor is not running): why, for the error. */
  unavailable?: string;
}

export type ProxySettingsSource = () => ProxySettings;

export const NO_PROXY: ProxySettingsSource = () => ({ proxyUrl: null, onlyTor: false });

export function isOnionHost(host: string): boolean {
  return /\.onion\.?$/i.test(host.replace(/^\[|\]$/g, ''));
}

/** Specter's private-address rule for the RPC client (a local node stays direct under only_tor). */
export function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  if (isIP(h) !== 4) return false;
  const [a, b] = h.split('.').map(Number) as [number, number];
  return a === 127 || a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31);
}

/** A parsed proxy URL; throws NET_TOR_REQUIRED naming the problem when it cannot be used. */
export function parseProxyUrl(proxyUrl: string): URL {
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    throw new SpecterError('NET_TOR_REQUIRED', `The Tor proxy URL "${redactUrl(proxyUrl)}" is not a URL.`, {
      hint: 'Set it on Settings → Tor, e.g. socks5h://127.0.0.1:9050.',
    });
  }
  if (!['socks5:', 'socks5h:', 'socks:'].includes(url.protocol) || !url.hostname || !url.port) {
    throw new SpecterError('NET_TOR_REQUIRED', `The Tor proxy URL "${redactUrl(proxyUrl)}" is not a SOCKS5 URL with host and port.`, {
      hint: 'Use socks5h://host:port, e.g. socks5h://127.0.0.1:9050.',
    });
  }
  url.protocol = 'socks5h:';
  return url;
}

/** A URL for messages and logs: no credentials, no query (it may carry an API key). */
export function redactUrl(raw: string | URL): string {
  try {
    const url = new URL(String(raw));
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

export type Route = { via: 'direct' } | { via: 'proxy'; proxy: URL };

/**
 * The route of one request to `host`. `everything` is the HTTP client's rule for only_tor (every
 * host); the RPC client passes false and keeps private hosts direct.
 */
export function routeFor(host: string, settings: ProxySettings, options: { forceTor?: boolean; privateDirect?: boolean } = {}): Route {
  const onion = isOnionHost(host);
  const wantTor = onion || options.forceTor === true || (settings.onlyTor && !(options.privateDirect && isPrivateHost(host)));
  if (!wantTor) return { via: 'direct' };
  if (settings.unavailable) {
    throw new SpecterError('NET_PROXY_UNAVAILABLE', `Cannot connect to ${host} through Tor: ${settings.unavailable}`, {
      hint: 'Start Tor on Settings → Tor. No direct connection was tried.',
      details: { host },
    });
  }
  if (!settings.proxyUrl) {
    const why = onion ? `"${host}" is an onion address, reachable only through Tor` : '"only Tor" is on';
    throw new SpecterError('NET_TOR_REQUIRED', `Cannot connect to ${host}: ${why}, but no Tor proxy is configured.`, {
      hint: 'Settings → Tor: choose "built-in" or "custom" with a SOCKS proxy URL.',
      details: { host },
    });
  }
  return { via: 'proxy', proxy: parseProxyUrl(settings.proxyUrl) };
}

/** Random SOCKS credentials (Specter's "<n>:random"): Tor isolates streams with different ones. */
export function isolationCredentials(): { username: string; password: string } {
  return { username: String(randomInt(1, 2 ** 31)), password: randomBytes(8).toString('hex') };
}

/**
 * A SOCKS agent for one route. `isolate` gives it fresh random credentials (one agent per HTTP
 * request); without it (the RPC client's long-lived agent) the URL's own credentials, if any, are used.
 */
export function socksAgent(proxy: URL, options: { isolate: boolean; timeoutMs: number; keepAlive?: boolean }): SocksProxyAgent {
  const url = new URL(proxy.href);
  if (options.isolate && !url.username) {
    const creds = isolationCredentials();
    url.username = creds.username;
    url.password = creds.password;
  }
  return new SocksProxyAgent(url, { timeout: options.timeoutMs, keepAlive: options.keepAlive ?? false });
}
