import type { Logger } from '../log/index.js';

/** One caught failure of an extension's callback or job, for the devhelp page. */
export interface ExtensionErrorRecord {
  at: Date;
  /** `callback:<id>` or `job:<jobId>`. */
  where: string;
  message: string;
  stack?: string;
}

export interface TripInfo {
  at: Date;
  reason: string;
}

export interface ExtensionHealthOptions {
  /** Consecutive failures that switch an extension off (config EXTENSION_ERROR_THRESHOLD). */
  threshold: number;
  /** Errors kept per extension. */
  keep?: number;
  logger: Logger;
}

/**
 * The circuit breaker shared by callbacks and jobs. A failure increments the extension's
 * consecutive-failure counter; a success resets it; reaching `threshold` trips the extension:
 * the registry and the scheduler skip it until {@link reenable}. Counting *consecutive* failures
 * means a flaky callback that mostly works is not switched off, a broken one is.
 */
export class ExtensionHealth {
  readonly threshold: number;
  readonly #keep: number;
  readonly #logger: Logger;
  readonly #consecutive = new Map<string, number>();
  readonly #total = new Map<string, number>();
  readonly #errors = new Map<string, ExtensionErrorRecord[]>();
  readonly #tripped = new Map<string, TripInfo>();
  readonly #listeners = new Set<(extId: string, tripped: boolean) => void>();
  readonly #failureListeners = new Set<(extId: string, where: string, error: Error) => void>();

  constructor(options: ExtensionHealthOptions) {
    this.threshold = Math.max(1, Math.floor(options.threshold));
    this.#keep = options.keep ?? 20;
    this.#logger = options.logger;
  }

  /** Called on every successful call: keep it cheap (one map lookup when healthy). */
  recordSuccess(extId: string): void {
    // Healthy extensions have no entry at all, so the common case is one failed map lookup.
    if (this.#consecutive.size !== 0) this.#consecutive.delete(extId);
  }

  /** Logs, records and counts a failure; returns true when this failure tripped the extension. */
  recordFailure(extId: string, where: string, err: unknown): boolean {
    const error = err instanceof Error ? err : new Error(String(err));
    this.#logger.error({ ext: extId, where, err: error }, `extension "${extId}" failed in ${where}: ${error.message}`);
    for (const l of this.#failureListeners) l(extId, where, error);
    const list = this.#errors.get(extId) ?? [];
    const record: ExtensionErrorRecord = { at: new Date(), where, message: error.message };
    if (error.stack) record.stack = error.stack;
    list.push(record);
    if (list.length > this.#keep) list.splice(0, list.length - this.#keep);
    this.#errors.set(extId, list);
    this.#total.set(extId, (this.#total.get(extId) ?? 0) + 1);
    const count = (this.#consecutive.get(extId) ?? 0) + 1;
    this.#consecutive.set(extId, count);
    if (count >= this.threshold && !this.#tripped.has(extId)) {
      const reason = `switched off after ${count} consecutive errors (last in ${where}: ${error.message})`;
      this.trip(extId, reason);
      return true;
    }
    return false;
  }

  /** Switches an extension off (also usable by an admin action). */
  trip(extId: string, reason: string): void {
    this.#tripped.set(extId, { at: new Date(), reason });
    this.#logger.warn({ ext: extId }, `extension "${extId}" ${reason}; re-enable it from the extensions page`);
    for (const l of this.#listeners) l(extId, true);
  }

  /** Restores a tripped extension and resets its counter; returns false if it was not tripped. */
  reenable(extId: string): boolean {
    const was = this.#tripped.delete(extId);
    this.#consecutive.delete(extId);
    if (was) {
      this.#logger.info({ ext: extId }, `extension "${extId}" re-enabled`);
      for (const l of this.#listeners) l(extId, false);
    }
    return was;
  }

  /**
   * Forgets an extension (it was unloaded): counters, errors and the trip. A plugin the admin
   * switches off and on again starts with a clean slate, as after a restart.
   */
  forget(extId: string): void {
    const was = this.#tripped.delete(extId);
    this.#consecutive.delete(extId);
    this.#total.delete(extId);
    this.#errors.delete(extId);
    if (was) for (const l of this.#listeners) l(extId, false);
  }

  /** How many extensions are switched off (0 lets hot paths skip the per-extension check). */
  get trippedCount(): number {
    return this.#tripped.size;
  }

  isTripped(extId: string): boolean {
    return this.#tripped.has(extId);
  }

  tripInfo(extId: string): TripInfo | undefined {
    return this.#tripped.get(extId);
  }

  /** The last errors of one extension, oldest first. */
  errors(extId: string): readonly ExtensionErrorRecord[] {
    return this.#errors.get(extId) ?? [];
  }

  consecutiveFailures(extId: string): number {
    return this.#consecutive.get(extId) ?? 0;
  }

  totalFailures(extId: string): number {
    return this.#total.get(extId) ?? 0;
  }

  /** Listeners subscribed (onChange, onFailure): the toggle bench checks they do not pile up. */
  get listenerCount(): number {
    return this.#listeners.size + this.#failureListeners.size;
  }

  /** Notified of every counted failure (the server tells the page which plugin failed). Returns an unsubscribe. */
  onFailure(listener: (extId: string, where: string, error: Error) => void): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  /** Notified when an extension is tripped or re-enabled (caches use it). Returns an unsubscribe. */
  onChange(listener: (extId: string, tripped: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
