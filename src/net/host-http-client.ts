/**
 * The host HTTP client: every outgoing HTTP request of the app (fee and price sources, plugins)
 * goes through one of these, so Tor routing, time limits and size limits are decided in one place.
 *
 * - Routing (routing.ts): `.onion` always through the SOCKS proxy, everything when only_tor; each
 *   proxied request gets its own random SOCKS credentials (Tor stream isolation). When the proxy is
 *   down the request fails with NET_PROXY_UNAVAILABLE: there is never a direct attempt instead.
 * - `allowedHosts` (for plugins): any other host is refused before a socket is opened.
 * - Every wait is bounded: one time limit covers connect, proxy handshake, headers and body; the
 *   body is read up to `maxResponseBytes`. Redirects are not followed (a redirect could leave the
 *   allow-list or Tor's `.onion`); the 3xx comes back to the caller.
 * - Node's http/https with a SOCKS `http.Agent` (socks-proxy-agent), not fetch: the same agent
 *   type serves the Bitcoin Core RPC client, which is on node:http too.
 */
import http from 'node:http';
import https from 'node:https';
import { SpecterError, isSpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { NO_PROXY, redactUrl, routeFor, socksAgent, type ProxySettingsSource, type Route } from './routing.js';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface HostHttpClientOptions {
  /** Who makes the requests (a fee source, a plugin id): in log lines and error messages. */
  name: string;
  /** The live Tor settings; default: no proxy. */
  proxy?: ProxySettingsSource;
  logger?: Logger;
  /** When set, only these host names (exact, case-insensitive; `*.example.com` for subdomains) may be asked. */
  allowedHosts?: readonly string[];
  /** Default time limit per request (ms). */
  timeoutMs?: number;
  /** Largest body accepted (bytes). */
  maxResponseBytes?: number;
  /** Route through Tor even without only_tor (Specter's `force_tor`). */
  forceTor?: boolean;
}

export interface HostRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HostHttpResponse {
  status: number;
  ok: boolean;
  headers: http.IncomingHttpHeaders;
  /** Whether the request went through the SOCKS proxy. */
  viaProxy: boolean;
  text(): string;
  /** The body as JSON; NET_REQUEST_FAILED naming the source when it is not JSON. */
  json<T = unknown>(): T;
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((entry) => {
    const a = entry.toLowerCase();
    return a.startsWith('*.') ? h.endsWith(a.slice(1)) : h === a;
  });
}

export class HostHttpClient {
  readonly name: string;
  readonly allowedHosts: readonly string[] | undefined;
  readonly #options: HostHttpClientOptions;

  constructor(options: HostHttpClientOptions) {
    this.#options = options;
    this.name = options.name;
    this.allowedHosts = options.allowedHosts;
  }

  async request(rawUrl: string | URL, init: HostRequestInit = {}): Promise<HostHttpResponse> {
    const url = this.checkUrl(rawUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const route = routeFor(host, (this.#options.proxy ?? NO_PROXY)(), { forceTor: this.#options.forceTor === true });
    const timeoutMs = init.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const shown = redactUrl(url);
    this.#options.logger?.debug({ source: this.name, url: shown, via: route.via }, 'outgoing request');
    try {
      return await this.send(url, route, init, timeoutMs);
    } catch (err) {
      const error = this.toError(err, route, shown, timeoutMs);
      this.#options.logger?.warn({ source: this.name, url: shown, via: route.via, code: error.code }, error.message);
      throw error;
    }
  }

  private checkUrl(rawUrl: string | URL): URL {
    let url: URL;
    try {
      url = new URL(String(rawUrl));
    } catch {
      throw new SpecterError('VALIDATION', `${this.name}: "${String(rawUrl).slice(0, 200)}" is not a URL.`, { details: { field: 'url' } });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SpecterError('VALIDATION', `${this.name}: only http and https URLs can be requested, not ${url.protocol}.`, {
        details: { field: 'url' },
      });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (this.allowedHosts && !hostAllowed(host, this.allowedHosts)) {
      throw new SpecterError('NET_HOST_NOT_ALLOWED', `${this.name} may not connect to "${host}".`, {
        hint: this.allowedHosts.length
          ? `Allowed hosts: ${this.allowedHosts.join(', ')}.`
          : 'No outgoing hosts are allowed for it; its manifest must name the hosts it needs.',
        details: { source: this.name, host },
      });
    }
    return url;
  }

  private send(url: URL, route: Route, init: HostRequestInit, timeoutMs: number): Promise<HostHttpResponse> {
    const maxBytes = this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([timeout, init.signal]) : timeout;
    const transport = url.protocol === 'https:' ? https : http;
    const agent = route.via === 'proxy' ? socksAgent(route.proxy, { isolate: true, timeoutMs }) : undefined;
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const headers: Record<string, string | number> = { 'user-agent': 'specter-ts', ...init.headers };
    if (body) headers['content-length'] = body.length;
    const source = this.name;
    return new Promise<HostHttpResponse>((resolve, rejectOnce) => {
      let settled = false;
      const reject = (err: unknown): void => {
        if (settled) return;
        settled = true;
        rejectOnce(err);
      };
      const req = transport.request(url, { method: init.method ?? 'GET', headers, signal, ...(agent ? { agent } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (size > maxBytes) {
            reject(new SpecterError('NET_REQUEST_FAILED', `${source}: the answer from ${redactUrl(url)} is larger than ${maxBytes} bytes.`));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers: res.headers,
            viaProxy: route.via === 'proxy',
            text: () => text,
            json: <T>() => {
              try {
                return JSON.parse(text) as T;
              } catch {
                throw new SpecterError('NET_REQUEST_FAILED', `${source}: the answer from ${redactUrl(url)} is not JSON.`, {
                  details: { source, status },
                });
              }
            },
          });
        });
      });
      req.on('error', reject);
      req.on('close', () => agent?.destroy());
      req.end(body);
    }).finally(() => agent?.destroy());
  }

  private toError(err: unknown, route: Route, shown: string, timeoutMs: number): SpecterError {
    if (isSpecterError(err)) return err;
    const e = err as NodeJS.ErrnoException;
    if (e?.name === 'TimeoutError' || (e?.name === 'AbortError' && String(e.cause ?? e.message).includes('timeout'))) {
      return new SpecterError(
        'NET_TIMEOUT',
        `${this.name}: no answer from ${shown} within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}.`,
        {
          hint:
            route.via === 'proxy' ? 'Requests through Tor are slow; check that Tor is running (Settings → Tor).' : 'Check that the service is up.',
          details: { source: this.name, via: route.via },
          cause: err,
        },
      );
    }
    if (e?.name === 'AbortError')
      return new SpecterError('NET_REQUEST_FAILED', `${this.name}: the request to ${shown} was cancelled.`, { cause: err });
    if (route.via === 'proxy') {
      const proxyAt = `${route.proxy.hostname}:${route.proxy.port}`;
      return new SpecterError(
        'NET_PROXY_UNAVAILABLE',
        `${this.name}: the Tor proxy at ${proxyAt} failed for ${shown} (${e?.message ?? String(err)}).`,
        {
          hint: 'Check that Tor is running and its SOCKS port is right (Settings → Tor). No direct connection was tried.',
          details: { source: this.name, proxy: proxyAt },
          cause: err,
        },
      );
    }
    return new SpecterError('NET_REQUEST_FAILED', `${this.name}: ${shown} could not be reached (${e?.code ?? e?.message ?? String(err)}).`, {
      hint: 'Check the URL and that the service is up.',
      details: { source: this.name },
      cause: err,
    });
  }
}
