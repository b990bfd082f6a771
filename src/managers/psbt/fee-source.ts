/**
 * The fee source setting (config.json `fee_estimator`, Specter's values):
 *
 * - `bitcoin_core` — the active node's estimatesmartfee (fees.ts);
 * - `mempool` — mempool.space's `/api/v1/fees/recommended`: its onion address when Tor is
 *   configured, the clearnet address otherwise (never under only_tor: then the onion or nothing);
 * - `custom` — a mempool.space-compatible server at `fee_estimator_custom_url` (a `.onion` goes
 *   through Tor by the host client's rule).
 *
 * Outside answers come through the host HTTP client (so through Tor when set), with a time limit,
 * and are checked with a schema; a source that fails, times out or answers nonsense falls back to
 * Bitcoin Core, and the notice says so. Answers are cached briefly (CACHE_MS) and concurrent asks
 * share one request, so a page full of send forms costs one request a minute.
 */
import { z } from 'zod';
import { isSpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { HostHttpClient, ProxySettings } from '../../net/index.js';
import type { FeeEstimates } from './fees.js';

export const FEE_ESTIMATORS = ['bitcoin_core', 'mempool', 'custom'] as const;
export type FeeEstimator = (typeof FEE_ESTIMATORS)[number];

export const MEMPOOL_CLEARNET = 'https://mempool.space';
export const MEMPOOL_ONION = 'http://mempoolhqx4isw62xs7abwphsq7ldayuidyx2v2oethdhhj6mlo2r6ad.onion';
export const RECOMMENDED_PATH = '/api/v1/fees/recommended';
export const CACHE_MS = 60_000;
export const FEE_TIMEOUT_MS = 10_000;

/** mempool.space's answer (sat/vB); economyFee is newer and optional. */
const recommendedSchema = z.object({
  fastestFee: z.number().positive(),
  halfHourFee: z.number().positive(),
  hourFee: z.number().positive(),
  economyFee: z.number().positive().optional(),
  minimumFee: z.number().positive(),
});

export interface FeeSourceSettings {
  estimator: string;
  customUrl: string;
}

export interface FeeSourceOptions {
  /** The host HTTP client (named for logs: "fee source"). */
  http: HostHttpClient;
  settings: () => FeeSourceSettings;
  proxy: () => ProxySettings;
  /** Bitcoin Core's estimate (estimateFees on the active node). */
  core: () => Promise<FeeEstimates>;
  logger: Logger;
  now?: () => number;
  timeoutMs?: number;
  cacheMs?: number;
}

/** The URLs to try for a setting, in order (empty: Bitcoin Core only). */
export function feeUrls(settings: FeeSourceSettings, proxy: ProxySettings): string[] {
  if (settings.estimator === 'custom') {
    const base = settings.customUrl.trim().replace(/\/+$/, '');
    if (!base) return [];
    return [base.endsWith(RECOMMENDED_PATH) ? base : `${base}${RECOMMENDED_PATH}`];
  }
  if (settings.estimator !== 'mempool') return [];
  const tor = proxy.proxyUrl !== null || proxy.unavailable !== undefined;
  const urls = tor ? [`${MEMPOOL_ONION}${RECOMMENDED_PATH}`] : [];
  if (!proxy.onlyTor) urls.push(`${MEMPOOL_CLEARNET}${RECOMMENDED_PATH}`);
  return urls;
}

export class FeeSource {
  #cache: { key: string; at: number; value: FeeEstimates } | null = null;
  #inFlight: { key: string; promise: Promise<FeeEstimates> } | null = null;

  constructor(private readonly options: FeeSourceOptions) {}

  /** The current suggestions; never rejects (the last resort is Core's fallback of 1 sat/vB). */
  async estimates(): Promise<FeeEstimates> {
    const settings = this.options.settings();
    const urls = feeUrls(settings, this.options.proxy());
    const key = `${settings.estimator}|${urls.join(' ')}`;
    const now = (this.options.now ?? Date.now)();
    if (this.#cache?.key === key && now - this.#cache.at < (this.options.cacheMs ?? CACHE_MS)) return this.#cache.value;
    if (this.#inFlight?.key === key) return this.#inFlight.promise;
    const source = settings.estimator === 'custom' ? 'custom' : 'mempool';
    const promise = this.fetch(urls, source).finally(() => {
      if (this.#inFlight?.promise === promise) this.#inFlight = null;
    });
    this.#inFlight = { key, promise };
    const value = await promise;
    this.#cache = { key, at: (this.options.now ?? Date.now)(), value };
    return value;
  }

  /** Forget the cached answer (the setting changed). */
  clear(): void {
    this.#cache = null;
  }

  private async fetch(urls: string[], source: 'mempool' | 'custom'): Promise<FeeEstimates> {
    const failures: string[] = [];
    for (const url of urls) {
      try {
        return await this.fromUrl(url, source);
      } catch (err) {
        const message = isSpecterError(err) ? err.message : String(err);
        failures.push(message);
        this.options.logger.warn({ source: this.options.http.name, url: new URL(url).host }, `fee source failed: ${message}`);
      }
    }
    const core = await this.options.core();
    if (failures.length === 0) return core;
    const why = `The fee source failed (${failures.join('; ')}); Bitcoin Core's estimate is shown.`;
    return { ...core, source: core.source === 'core' ? 'core' : 'fallback', notice: core.notice ? `${why} ${core.notice}` : why };
  }

  private async fromUrl(url: string, source: 'mempool' | 'custom'): Promise<FeeEstimates> {
    const res = await this.options.http.request(url, {
      timeoutMs: this.options.timeoutMs ?? FEE_TIMEOUT_MS,
      headers: { accept: 'application/json' },
    });
    const host = new URL(url).host;
    if (!res.ok) throw new Error(`${host} answered HTTP ${res.status}`);
    const parsed = recommendedSchema.safeParse(res.json());
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${host} answered an unexpected shape ("${issue?.path.join('.')}": ${issue?.message})`);
    }
    const r = parsed.data;
    // Slower never suggests more than faster (as fees.ts does for Core).
    const fast = r.fastestFee;
    const medium = Math.min(r.halfHourFee, fast);
    const slow = Math.min(r.hourFee, medium);
    const minimum = Math.min(r.minimumFee, slow);
    return { fast, medium, slow, minimum, source, notice: null };
  }
}
