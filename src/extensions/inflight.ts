/**
 * Requests an extension is serving, counted so an unload can wait for them: new requests are
 * refused first, then the ones in flight finish (bounded), then the extension goes.
 */
export class InflightRequests {
  readonly #count = new Map<string, number>();
  readonly #idle = new Map<string, Set<() => void>>();

  /** One request enters; the returned function (safe to call twice) marks it finished. */
  enter(extId: string): () => void {
    this.#count.set(extId, (this.#count.get(extId) ?? 0) + 1);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      const left = (this.#count.get(extId) ?? 1) - 1;
      if (left > 0) {
        this.#count.set(extId, left);
        return;
      }
      this.#count.delete(extId);
      const waiters = this.#idle.get(extId);
      this.#idle.delete(extId);
      for (const wake of waiters ?? []) wake();
    };
  }

  count(extId: string): number {
    return this.#count.get(extId) ?? 0;
  }

  /** Resolves true once no request of the extension is in flight, false after `timeoutMs`. */
  drain(extId: string, timeoutMs: number): Promise<boolean> {
    if (this.count(extId) === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.#idle.get(extId) ?? new Set<() => void>();
      this.#idle.set(extId, waiters);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      waiters.add(wake);
    });
  }
}
