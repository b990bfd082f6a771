/**
 * Counts failed password checks per client address in a sliding one-minute window. The login
 * form uses @fastify/rate-limit (every attempt counts); the JSON API only counts failures, so
 * scripts that authenticate correctly are never slowed down.
 *
 * A check takes a slot *before* it runs ({@link reserve}): a slot is a failure until the check
 * succeeds and gives it back. Concurrent requests therefore cannot all pass the "not blocked yet"
 * test while their checks are still running — a burst gets at most `maxPerMinute` checks.
 */
export interface LimiterSlot {
  /** The check succeeded: the slot is given back. */
  release(): void;
  /** The check failed: the slot stays as a failure in the window (from now). */
  fail(): void;
}

export class FailureLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #pending = new Map<string, number>();

  constructor(
    private readonly maxPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  #recent(key: string): number[] {
    const since = this.now() - 60_000;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.#failures.set(key, list);
    else this.#failures.delete(key);
    return list;
  }

  #used(key: string): number {
    return this.#recent(key).length + (this.#pending.get(key) ?? 0);
  }

  /** True while the address has used up its failures (counting checks still running) for the current minute. */
  blocked(key: string): boolean {
    return this.#used(key) >= this.maxPerMinute;
  }

  fail(key: string): void {
    this.#failures.set(key, [...this.#recent(key), this.now()]);
  }

  /** A slot for one password check, or undefined when the address is blocked. Settle it exactly once. */
  reserve(key: string): LimiterSlot | undefined {
    if (this.blocked(key)) return undefined;
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    let settled = false;
    const settle = (failed: boolean) => {
      if (settled) return;
      settled = true;
      const left = (this.#pending.get(key) ?? 1) - 1;
      if (left > 0) this.#pending.set(key, left);
      else this.#pending.delete(key);
      if (failed) this.fail(key);
    };
    return { release: () => settle(false), fail: () => settle(true) };
  }
}
