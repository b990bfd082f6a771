import { createHmac, randomBytes } from 'node:crypto';

/**
 * A short-lived in-memory cache keyed by credentials, for checks that would otherwise run a slow
 * key derivation on every API request (HTTP Basic, unwrapping the user secret).
 *
 * Keys are an HMAC-SHA256 of the credential parts under a random key made per process: the
 * password is never a key, never stored, and a key means nothing outside this process. Entries
 * live `ttlMs` (then the next request checks again) and the cache holds at most `maxEntries`
 * (the oldest goes first). Nothing here is ever written to disk. `once` collapses concurrent
 * computations of one key into one (a burst of identical requests runs one derivation).
 */
export class CredentialCache<V> {
  readonly #hmacKey = randomBytes(32);
  readonly #entries = new Map<string, { value: V; expires: number }>();
  readonly #inflight = new Map<string, Promise<V>>();

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cache key of these credential parts (unambiguous: the parts are JSON-encoded). */
  keyOf(...parts: string[]): string {
    return createHmac('sha256', this.#hmacKey).update(JSON.stringify(parts)).digest('base64url');
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expires) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { value, expires: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Runs `compute` unless a computation for `key` is already running, whose result is shared. */
  once(key: string, compute: () => Promise<V>): Promise<V> {
    const running = this.#inflight.get(key);
    if (running) return running;
    const promise = compute().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }
}
