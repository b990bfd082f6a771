/**
 * Counts failed password checks per client address in a sliding one-minute window. The login
 * form uses @fastify/rate-limit (every attempt counts); the JSON API only counts failures, so
 * scripts that authenticate correctly are never slowed down.
 */
export class FailureLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(private readonly maxPerMinute: number, private readonly now: () => number = Date.now) {}

  #recent(key: string): number[] {
    const since = this.now() - 60_000;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.#failures.set(key, list);
    else this.#failures.delete(key);
    return list;
  }

  /** True while the address has used up its failures for the current minute. */
  blocked(key: string): boolean {
    return this.#recent(key).length >= this.maxPerMinute;
  }

  fail(key: string): void {
    this.#failures.set(key, [...this.#recent(key), this.now()]);
  }
}
