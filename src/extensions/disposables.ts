import type { Logger } from '../log/index.js';
import { withTimeout } from './callbacks.js';
import { errorMessage } from './module-loader.js';

/** Something to release when an extension is unloaded: a function, or an object with `dispose()`. */
export type Disposable = (() => unknown) | { dispose(): unknown };

/**
 * What an extension leaves behind that the host cannot see — an interval, a socket, a listener on
 * a core emitter — registered per extension and run when it is unloaded (disable, uninstall,
 * update, shutdown), after its `stop()`, newest first. The extension API wires `onDispose` to
 * {@link add}; each disposer gets the callback time limit, and a failing one is logged, never
 * stops the others.
 */
export class Disposables {
  readonly #byExt = new Map<string, Disposable[]>();

  /** Registers a disposer; the returned function unregisters it (already released by hand). */
  add(extId: string, disposable: Disposable): () => void {
    const list = this.#byExt.get(extId) ?? [];
    list.push(disposable);
    this.#byExt.set(extId, list);
    return () => {
      const current = this.#byExt.get(extId);
      const i = current?.indexOf(disposable) ?? -1;
      if (current && i >= 0) current.splice(i, 1);
    };
  }

  count(extId: string): number {
    return this.#byExt.get(extId)?.length ?? 0;
  }

  /** Runs and forgets the extension's disposers, newest first; resolves to how many failed. */
  async dispose(extId: string, options: { timeoutMs: number; logger: Logger }): Promise<number> {
    const list = this.#byExt.get(extId) ?? [];
    this.#byExt.delete(extId);
    let failed = 0;
    for (const d of [...list].reverse()) {
      try {
        const returned = typeof d === 'function' ? d() : d.dispose();
        if (returned && typeof (returned as PromiseLike<unknown>).then === 'function') {
          await withTimeout(returned as PromiseLike<unknown>, options.timeoutMs, extId, 'a disposer');
        }
      } catch (err) {
        failed++;
        options.logger.error({ ext: extId, err }, `extension "${extId}" failed in a disposer: ${errorMessage(err)}`);
      }
    }
    return failed;
  }
}
