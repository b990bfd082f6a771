import { SpecterError } from '../errors/index.js';
import type { HostHttp } from '../extensions/index.js';
import type { Logger } from '../log/index.js';

/**
 * The host's outgoing HTTP for extension contexts: a bounded `fetch` (timeout, no redirects to
 * other hosts unchecked). The Tor settings route it through the SOCKS proxy (src/net/).
 */
export function hostHttp(logger: Logger): HostHttp {
  return {
    async request(url, options) {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signals = [timeout, ...(options.signal ? [options.signal] : [])];
      try {
        const response = await fetch(url, {
          method: options.method ?? 'GET',
          ...(options.headers && { headers: options.headers }),
          ...(options.body !== undefined && { body: options.body }),
          redirect: 'manual',
          signal: AbortSignal.any(signals),
        });
        return {
          status: response.status,
          ok: response.ok,
          headers: response.headers,
          text: () => response.text(),
          json: <T>() => response.json() as Promise<T>,
        };
      } catch (err) {
        const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : (err as Error).message;
        logger.warn({ source: options.source, host: url.host, err: reason }, 'outgoing request failed');
        throw new SpecterError('EXT_HTTP_FAILED', `${url.origin} did not answer (${reason}).`, {
          hint: 'Check the address and that this machine can reach it (and Tor, when "only Tor" is set).',
        });
      }
    },
  };
}
