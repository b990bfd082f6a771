/**
 * The in-memory vault of decrypted user secrets: the only place a plaintext user secret exists.
 *
 * An entry is filled at login and dropped at logout, and also when it outlives the session it was
 * unlocked for (`maxAgeMs`, the session lifetime) or has not been used for `idleTimeoutMs` — so an
 * abandoned browser does not leave the user's data unlocked in memory for days. A user whose
 * secret was dropped is still logged in but locked: routes that need the secret send them to log
 * in again (what a restart does too).
 *
 * The clock is injected so tests move time instead of waiting. A Map-like API, so UserManager
 * uses it as it used its Map.
 */
export interface SecretVaultOptions {
  /** Milliseconds without use after which a secret is dropped (default 30 min). */
  idleTimeoutMs?: number;
  /** Milliseconds after unlocking after which a secret is dropped (default 7 days, the session lifetime). */
  maxAgeMs?: number;
  now?: () => number;
  /** How often expired entries are swept while nobody asks (default 60 s; 0 = never). */
  sweepIntervalMs?: number;
}

interface Entry {
  secret: string;
  unlockedAt: number;
  lastUsed: number;
}

export class SecretVault {
  readonly idleTimeoutMs: number;
  readonly maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: SecretVaultOptions = {}) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600_000;
    this.#now = options.now ?? Date.now;
    const every = options.sweepIntervalMs ?? 60_000;
    if (every > 0) startSweeper(this, every);
  }

  /** The secret, if unlocked and not expired; a hit counts as use (resets the idle timer). */
  get(id: string): string | undefined {
    this.sweep();
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    entry.lastUsed = this.#now();
    return entry.secret;
  }

  set(id: string, secret: string): void {
    const now = this.#now();
    this.#entries.set(id, { secret, unlockedAt: now, lastUsed: now });
  }

  delete(id: string): void {
    this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Number of unlocked (unexpired) secrets. */
  get size(): number {
    this.sweep();
    return this.#entries.size;
  }

  /** Drops every expired entry. */
  sweep(): void {
    const now = this.#now();
    for (const [id, e] of this.#entries) {
      if (now - e.lastUsed >= this.idleTimeoutMs || now - e.unlockedAt >= this.maxAgeMs) this.#entries.delete(id);
    }
  }
}

/**
 * Sweeps on a timer, so an expired secret leaves memory even if nobody asks for it. The timer is
 * unref'd and holds the vault only weakly: it never keeps the process or a discarded vault alive.
 */
function startSweeper(vault: SecretVault, every: number): void {
  const ref = new WeakRef(vault);
  const timer = setInterval(() => {
    const v = ref.deref();
    if (v) v.sweep();
    else clearInterval(timer);
  }, every);
  timer.unref();
}
