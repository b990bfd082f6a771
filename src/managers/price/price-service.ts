/**
 * The fiat price of bitcoin. The core owns the schedule, the checks and the memory; the sources are
 * plugins (`price_providers` callback, see price-provider.ts), so a third party adds one the same
 * way the built-in `exchange_rates` does.
 *
 * One timer fetches the selected provider every `intervalMs`, each fetch bounded by `timeoutMs`,
 * never two at once, never because a page was asked for: pages read {@link PriceService.view},
 * which is memory only. A provider that throws, times out or answers something that is not a
 * finite number above zero is logged with its name and recorded as its last error; the last good
 * rate stays. The last good rate and each provider's outcome are kept in price.json, so a restart
 * shows the price with its age.
 */
import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import { btcPriceSchema, priceProviderSchema, type PriceProvider } from './price-provider.js';
import { PriceStore, priceFileSchema, type PriceFile, type PriceRate, type ProviderState } from './price-store.js';

/** The settings the service reads (config.json: price_check, price_provider, price_currency, alt_rate). */
export interface PriceSettings {
  enabled: boolean;
  /** A provider id; '' = the manual rate. */
  provider: string;
  currency: string;
  manualRate: number;
}

export interface PriceServiceOptions {
  settings: () => PriceSettings;
  /** What each plugin answered to `price_providers`, by plugin id (checked here: plugins are third-party code). */
  providers: () => Promise<Record<string, unknown>>;
  dataFolder: string;
  store: JsonFileStore;
  logger: Logger;
  intervalMs: number;
  timeoutMs: number;
  now?: () => number;
}

/** A provider as the core lists it: which plugin brought it, without its function. */
export interface PriceProviderInfo {
  id: string;
  name: string;
  currencies: string[];
  ext: string;
}

/** The price as a page shows it (memory only: cheap enough for every page). */
export interface PriceView {
  enabled: boolean;
  currency: string;
  /** Fiat units per 1 BTC, or null when there is no rate in this currency yet. */
  btcPrice: number | null;
  /** Provider id, or `manual`. */
  source: string | null;
  sourceName: string | null;
  at: string | null;
  /** Older than three intervals: the provider has not answered for a while. */
  stale: boolean;
  /** "5 min", "3 h", "2 days" (null for a manual rate). */
  age: string | null;
}

export interface PriceProviderStatus extends PriceProviderInfo, ProviderState {}

/** `GET /api/v1/price` and Settings → Price. */
export interface PriceStatus {
  enabled: boolean;
  currency: string;
  price: number | null;
  source: string | null;
  at: string | null;
  stale: boolean;
  /** The selected provider id ('' = manual). */
  provider: string;
  providers: PriceProviderStatus[];
}

export function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

export class PriceService {
  readonly #options: PriceServiceOptions;
  readonly #store: PriceStore;
  #data: PriceFile = priceFileSchema.parse({});
  #names = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  /** A provider's fetch that outlived its timeout: no new fetch starts until it settles. */
  #straggler: Promise<unknown> | null = null;
  #stopped = true;
  /** Aborted by stop(): a fetch that is running then ends at once instead of at its timeout. */
  #stopSignal = new AbortController();

  constructor(options: PriceServiceOptions) {
    this.#options = options;
    this.#store = new PriceStore(options.dataFolder, options.store, options.logger);
  }

  private now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async load(): Promise<void> {
    this.#data = await this.#store.load();
  }

  /** Starts the schedule: a first fetch at once, then one every interval after the previous ended. */
  start(): void {
    this.#stopped = false;
    this.#stopSignal = new AbortController();
    this.schedule(0);
  }

  /** Stops the schedule and waits for a running fetch (bounded by its timeout). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopSignal.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Fetch soon (the settings changed), without waiting for it. */
  kick(): void {
    if (!this.#stopped) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh().finally(() => {
        if (!this.#stopped && !this.#timer) this.schedule(this.#options.intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  /** One fetch of the selected provider now; a fetch already running is joined, not doubled. Never rejects. */
  refresh(): Promise<void> {
    if (!this.#running) {
      this.#running = this.fetchSelected()
        .catch((err: unknown) => this.#options.logger.error({ err }, 'price check failed'))
        .finally(() => {
          this.#running = null;
        });
    }
    return this.#running;
  }

  /** The providers the plugins offer now (invalid ones are logged and left out; the first of a duplicate id wins). */
  async providers(): Promise<Array<PriceProviderInfo & { fetch: PriceProvider['fetch'] }>> {
    const answers = await this.#options.providers();
    const out: Array<PriceProviderInfo & { fetch: PriceProvider['fetch'] }> = [];
    for (const [ext, answer] of Object.entries(answers)) {
      if (!Array.isArray(answer)) {
        this.#options.logger.warn({ ext }, `plugin "${ext}" answered price_providers with something that is not a list; ignored`);
        continue;
      }
      for (const item of answer) {
        const parsed = priceProviderSchema.safeParse(item);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          this.#options.logger.warn(
            { ext },
            `plugin "${ext}" offered an invalid price provider ("${issue?.path.join('.')}": ${issue?.message}); ignored`,
          );
          continue;
        }
        const p = parsed.data;
        if (out.some((o) => o.id === p.id)) {
          this.#options.logger.warn(
            { ext, provider: p.id },
            `plugin "${ext}" offered price provider "${p.id}", which another plugin already offers; ignored`,
          );
          continue;
        }
        out.push({ id: p.id, name: p.name, currencies: p.currencies, ext, fetch: p.fetch });
        this.#names.set(p.id, p.name);
      }
    }
    return out;
  }

  private async fetchSelected(): Promise<void> {
    const settings = this.#options.settings();
    if (!settings.enabled || settings.provider === '') return;
    if (this.#straggler) {
      this.#options.logger.warn({ provider: settings.provider }, 'the previous price fetch is still running; this check is skipped');
      return;
    }
    const provider = (await this.providers()).find((p) => p.id === settings.provider);
    const currency = settings.currency;
    if (!provider) {
      await this.record(
        settings.provider,
        new SpecterError('PRICE_PROVIDER_UNKNOWN', `No enabled plugin offers the price provider "${settings.provider}".`),
      );
      return;
    }
    if (!provider.currencies.includes(currency)) {
      await this.record(provider.id, new SpecterError('PRICE_PROVIDER_UNKNOWN', `${provider.name} does not offer prices in ${currency}.`));
      return;
    }
    try {
      const btcPrice = await this.fetchBounded(provider, currency);
      const at = new Date(this.now()).toISOString();
      const rate: PriceRate = { currency, btcPrice, source: provider.id, at };
      await this.record(provider.id, null, rate);
      this.#options.logger.debug({ provider: provider.id, currency, btcPrice }, 'price updated');
    } catch (err) {
      // Stopping the app is not the provider's failure.
      if (this.#stopSignal.signal.aborted) return;
      await this.record(provider.id, err);
    }
  }

  /** The provider's answer within the timeout, checked: a finite number above zero. */
  private async fetchBounded(provider: PriceProviderInfo & { fetch: PriceProvider['fetch'] }, currency: string): Promise<number> {
    const controller = new AbortController();
    const call = Promise.resolve().then(() => provider.fetch(currency, controller.signal));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new SpecterError('PRICE_PROVIDER_TIMEOUT', `${provider.name} did not answer within ${this.#options.timeoutMs} ms.`, {
            details: { provider: provider.id },
          }),
        );
      }, this.#options.timeoutMs);
      const stopping = this.#stopSignal.signal;
      const onStop = () => {
        controller.abort();
        reject(new Error('the app is stopping'));
      };
      if (stopping.aborted) onStop();
      else stopping.addEventListener('abort', onStop, { once: true });
      controller.signal.addEventListener('abort', () => stopping.removeEventListener('abort', onStop), { once: true });
    });
    let settled = false;
    void call
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        settled = true;
        if (this.#straggler === call) this.#straggler = null;
      });
    let answer: unknown;
    try {
      answer = await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
      // Done (or given up on): the provider's request is no longer wanted.
      if (!controller.signal.aborted) controller.abort();
      // A fetch that ignores its signal keeps running; the next check waits for it to end.
      if (!settled) this.#straggler = call;
    }
    const parsed = btcPriceSchema.safeParse(answer);
    if (!parsed.success) {
      throw new SpecterError('PRICE_ANSWER_INVALID', `${provider.name} answered ${describe(answer)}, not a price above zero.`, {
        details: { provider: provider.id },
      });
    }
    return parsed.data;
  }

  /** Records a provider's outcome (and the new rate) and writes price.json; an error is logged with the provider's name. */
  private async record(providerId: string, err: unknown, rate?: PriceRate): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const before = this.#data.providers[providerId] ?? { lastOk: null, lastError: null };
    let state: ProviderState;
    if (err === null) {
      state = { ...before, lastOk: at };
    } else {
      const name = this.#names.get(providerId) ?? providerId;
      const text = err instanceof Error ? err.message : String(err);
      // Messages say who failed; a plugin's own error may not name its provider.
      const message = text.startsWith(name) ? text : `${name}: ${text}`;
      this.#options.logger.warn({ provider: providerId, providerName: name }, `price provider "${name}" failed: ${message}`);
      state = { ...before, lastError: { at, message } };
    }
    this.#data = { rate: rate ?? this.#data.rate, providers: { ...this.#data.providers, [providerId]: state } };
    try {
      await this.#store.save(this.#data);
    } catch (saveErr) {
      this.#options.logger.warn({ err: saveErr }, 'price.json could not be written; the price is kept in memory');
    }
  }

  /** The price for a page: the manual rate, or the last good rate in the chosen currency (with its age). */
  view(): PriceView {
    const s = this.#options.settings();
    const base = { enabled: s.enabled, currency: s.currency };
    if (s.provider === '') {
      const ok = s.manualRate > 0 && Number.isFinite(s.manualRate);
      return { ...base, btcPrice: ok ? s.manualRate : null, source: 'manual', sourceName: 'manual rate', at: null, stale: false, age: null };
    }
    const rate = this.#data.rate;
    if (!rate || rate.currency !== s.currency) {
      return { ...base, btcPrice: null, source: null, sourceName: null, at: null, stale: false, age: null };
    }
    const ageMs = Math.max(0, this.now() - Date.parse(rate.at));
    return {
      ...base,
      btcPrice: rate.btcPrice,
      source: rate.source,
      sourceName: this.#names.get(rate.source) ?? rate.source,
      at: rate.at,
      stale: ageMs > 3 * this.#options.intervalMs,
      age: formatAge(ageMs),
    };
  }

  /** The API's and the settings page's view: the price and every provider's last outcome. */
  async status(): Promise<PriceStatus> {
    const s = this.#options.settings();
    const view = this.view();
    const offered = await this.providers();
    const providers: PriceProviderStatus[] = offered.map(({ fetch: _fetch, ...info }) => ({
      ...info,
      ...(this.#data.providers[info.id] ?? { lastOk: null, lastError: null }),
    }));
    return {
      enabled: s.enabled,
      currency: s.currency,
      price: view.btcPrice,
      source: view.source,
      at: view.at,
      stale: view.stale,
      provider: s.provider,
      providers,
    };
  }
}

/** A short, safe description of a bad answer for the message. */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `the text ${JSON.stringify(value.slice(0, 40))}`;
  if (value === null || value === undefined) return String(value);
  return `a ${Array.isArray(value) ? 'list' : typeof value}`;
}
