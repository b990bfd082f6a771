import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';

/**
 * Per-file async lock. Every operation on one data file runs inside `withFileLock`, so two
 * read-modify-write cycles on the same file can never interleave (Specter used one global
 * `threading.Lock` for all files; here unrelated files do not wait for each other).
 *
 * Process-wide state (documented exception to "no module-level state"): the lock must be shared
 * by every JsonFileStore instance in the process, otherwise two stores would race on one file.
 * Entries are removed as soon as a path has no holder and no waiter, so the map stays as small as
 * the number of files being written right now.
 *
 * The lock is FIFO: callers get the file in the order they called `withFileLock`, which is what
 * makes "the last save() wins" hold for callers that snapshot their data synchronously.
 */

/** Tail of the queue per absolute path: resolves when the last queued holder has finished. */
const tails = new Map<string, Promise<void>>();

/**
 * Which locks the current async context holds. This makes the lock re-entrant for code that runs
 * *inside* a holder (an `update()` callback that reads the same file, an `onPersist` hook), which
 * would otherwise deadlock waiting for itself. `released` flips when the holder finishes, so work
 * the holder started but did not await queues normally afterwards.
 */
interface Held {
  readonly key: string;
  released: boolean;
}
const held = new AsyncLocalStorage<readonly Held[]>();

function holds(key: string): boolean {
  return (held.getStore() ?? []).some((h) => h.key === key && !h.released);
}

/** Absolute, normalised path used as the lock key, so `a/../x.json` and `x.json` share a lock. */
export function lockKey(path: string): string {
  return resolve(path);
}

/**
 * Run `fn` while holding the lock of `path`. The queue position is taken synchronously, before
 * the first `await`, so call order is lock order.
 */
export function withFileLock<T>(path: string, fn: () => T | Promise<T>): Promise<T> {
  const key = lockKey(path);
  if (holds(key)) return Promise.resolve().then(fn);

  const previous = tails.get(key) ?? Promise.resolve();
  const token: Held = { key, released: false };
  const run = previous.then(() => held.run([...(held.getStore() ?? []), token], fn));
  // The tail never rejects: one failed holder must not poison the queue for the next one.
  const release = (): void => {
    token.released = true;
    if (tails.get(key) === tail) tails.delete(key);
  };
  const tail: Promise<void> = run.then(release, release);
  tails.set(key, tail);
  return run;
}

/** Number of paths with a holder or waiters right now (for tests: it must drop back to 0). */
export function activeFileLockCount(): number {
  return tails.size;
}
