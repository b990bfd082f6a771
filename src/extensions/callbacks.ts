import { SpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { CORE_CALLBACKS, type CallbackDefinition } from './callback-catalogue.js';
import type { Extension } from './extension.js';
import type { ExtensionHealth } from './health.js';
import { CALLBACK_ID_PATTERN } from './manifest-schema.js';
import type { CallbackStyle } from './manifest.js';

export interface CallbackRegistryOptions {
  health: ExtensionHealth;
  logger: Logger;
  /**
   * Longest an asynchronous callback may take, in milliseconds (config EXTENSION_CALLBACK_TIMEOUT).
   * Past it the caller moves on and the call counts as a failure for the circuit breaker, so a
   * callback that never returns cannot freeze every page. Default 1,000.
   */
  timeoutMs?: number;
}

/**
 * Waits for an extension's promise at most `ms`; past it, rejects with a TIMEOUT error naming the
 * extension and what it was doing. The extension's own promise keeps running (JavaScript cannot
 * cancel it), but nobody waits for it any more.
 */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, extId: string, where: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SpecterError('TIMEOUT', `extension "${extId}" did not finish ${where} within ${ms} ms.`, {
            hint: 'The plugin is switched off after repeated failures; check its log lines, then re-enable it in "Choose plugins".',
            details: { ext: extId, where, timeoutMs: ms },
          }),
        ),
      ms,
    );
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

export interface ExecuteOptions {
  /** Only call extensions for which this returns true (e.g. "active for the current user"). */
  filter?: (ext: Extension) => boolean;
  /**
   * Per-extension arguments (e.g. a scheduler scoped to the extension). For `collect` they are the
   * whole argument list; for `middleware` they follow the threaded value.
   */
  argsFor?: (ext: Extension) => unknown[];
}

type Method = (...args: unknown[]) => unknown;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * The callback catalogue and executor (Specter's `CallbackExecutor`). Calls `callback_<id>` on
 * every loaded extension in resolver order (dependencies first, then sortPriority). Each call is
 * isolated: a throw is logged with the extension id and counted by {@link ExtensionHealth}, the
 * result is skipped and the other extensions still run. Tripped extensions are skipped.
 */
export class CallbackRegistry {
  readonly health: ExtensionHealth;
  readonly timeoutMs: number;
  readonly #logger: Logger;
  readonly #defs = new Map<string, CallbackDefinition>();
  #extensions: readonly Extension[] = [];
  /** Per callback id: the extensions implementing it, in order. Rebuilt when the list changes. */
  readonly #handlers = new Map<string, readonly Extension[]>();
  /** The handler functions of `#handlers`, looked up once: 20 different classes make the lookup slow. */
  readonly #handlerFns = new Map<string, ReadonlyArray<readonly [Extension, Method]>>();
  /** Warn once per (ext, callback) about async results in executeSync. */
  readonly #warnedAsync = new Set<string>();

  constructor(options: CallbackRegistryOptions) {
    this.health = options.health;
    this.timeoutMs = options.timeoutMs ?? 1_000;
    this.#logger = options.logger;
    for (const def of CORE_CALLBACKS) this.#defs.set(def.id, def);
  }

  /**
   * Registers a callback id (extensions define their own this way or via the manifest's
   * `callbacks`). An id that exists already is an error: two meanings for one id would make one
   * of them receive arguments it does not expect.
   */
  defineCallback(def: { id: string; style: CallbackStyle; description?: string }, definedBy = 'core'): CallbackDefinition {
    if (!CALLBACK_ID_PATTERN.test(def.id)) {
      throw new SpecterError('EXT_CALLBACK_CONFLICT', `Callback id "${def.id}" (defined by ${definedBy}) is not a valid identifier.`, {
        hint: 'Use letters, digits and "_", starting with a letter: it becomes the method name callback_<id>.',
      });
    }
    if (def.style !== 'collect' && def.style !== 'middleware') {
      throw new SpecterError('EXT_CALLBACK_CONFLICT', `Callback "${def.id}" (defined by ${definedBy}) has style "${String(def.style)}".`, {
        hint: 'Use collect or middleware.',
      });
    }
    const existing = this.#defs.get(def.id);
    if (existing) {
      throw new SpecterError(
        'EXT_CALLBACK_CONFLICT',
        `Callback "${def.id}" is already defined by ${existing.definedBy}; ${definedBy} cannot define it again.`,
        {
          hint: `Prefix extension-defined callbacks with the extension id, e.g. "${definedBy === 'core' ? 'myext' : definedBy}_${def.id}".`,
          details: { id: def.id, definedBy, existing: existing.definedBy },
        },
      );
    }
    const full: CallbackDefinition = Object.freeze({ id: def.id, style: def.style, description: def.description ?? '', definedBy });
    this.#defs.set(def.id, full);
    return full;
  }

  /** Drops the callbacks an extension defined (when it fails to load after defining them). */
  removeCallbacksDefinedBy(extId: string): void {
    for (const [id, def] of this.#defs) if (def.definedBy === extId) this.#defs.delete(id);
  }

  has(id: string): boolean {
    return this.#defs.has(id);
  }

  get(id: string): CallbackDefinition | undefined {
    return this.#defs.get(id);
  }

  list(): CallbackDefinition[] {
    return [...this.#defs.values()];
  }

  /** The loaded extensions in callback order; set by the ExtensionManager after loading. */
  setExtensions(extensions: readonly Extension[]): void {
    this.#extensions = [...extensions];
    this.#handlers.clear();
    this.#handlerFns.clear();
  }

  /** Extensions implementing `callback_<id>`, in order, tripped ones excluded. Do not mutate. */
  handlersFor(id: string): readonly Extension[] {
    const list = this.#allHandlers(id);
    // Hot path (before-request runs on every request): no allocation while nobody is tripped.
    return this.health.trippedCount === 0 ? list : list.filter((ext) => !this.health.isTripped(ext.id));
  }

  /** Every extension implementing `callback_<id>`, tripped or not, in order (cached). */
  #allHandlers(id: string): readonly Extension[] {
    let list = this.#handlers.get(id);
    if (!list) {
      const method = `callback_${id}`;
      list = this.#extensions.filter((ext) => typeof (ext as unknown as Record<string, unknown>)[method] === 'function');
      this.#handlers.set(id, list);
    }
    return list;
  }

  #definition(id: string): CallbackDefinition {
    const def = this.#defs.get(id);
    if (!def) {
      throw new SpecterError('EXT_UNKNOWN_CALLBACK', `Non existing callback_id "${id}".`, {
        hint: `Use one of: ${[...this.#defs.keys()].join(', ')}; or define it first with defineCallback().`,
        details: { id },
      });
    }
    return def;
  }

  /** Fires a callback; `collect` → `Record<extId, value>`, `middleware` → the threaded first argument. */
  execute(id: string, ...args: unknown[]): Promise<unknown> {
    return this.executeWith({}, id, ...args);
  }

  /**
   * Fires a collect callback whose results nobody reads (the per-request `flask_before_request`),
   * without creating a promise unless an extension's handler returns one: then the rest waits for
   * it, in order. Returns undefined, or a promise when something was asynchronous.
   */
  fire(id: string, ...args: unknown[]): Promise<void> | undefined {
    const where = `callback:${id}`;
    const method = `callback_${id}`;
    if (this.#definition(id).style !== 'collect') {
      throw new SpecterError('EXT_UNKNOWN_CALLBACK', `Callback "${id}" is a middleware callback; use middleware().`);
    }
    let pairs = this.#handlerFns.get(id);
    if (!pairs) {
      pairs = this.#allHandlers(id).map((ext) => [ext, (ext as unknown as Record<string, Method>)[method]!] as const);
      this.#handlerFns.set(id, pairs);
    }
    const anyTripped = this.health.trippedCount !== 0;
    for (let i = 0; i < pairs.length; i++) {
      const [ext, fn] = pairs[i]!;
      const extId = ext.id;
      if (anyTripped && this.health.isTripped(extId)) continue;
      try {
        const returned = fn.call(ext, ...args);
        if (isThenable(returned)) {
          const rest = new Set(pairs.slice(i + 1).map(([e]) => e));
          // Continue asynchronously from here, keeping the order.
          return (async () => {
            try {
              await withTimeout(returned, this.timeoutMs, extId, where);
              this.health.recordSuccess(extId);
            } catch (err) {
              this.health.recordFailure(extId, where, err);
            }
            await this.executeWith({ filter: (e) => rest.has(e) }, id, ...args);
          })();
        }
        this.health.recordSuccess(extId);
      } catch (err) {
        this.health.recordFailure(extId, where, err);
      }
    }
    return undefined;
  }

  async executeWith(options: ExecuteOptions, id: string, ...args: unknown[]): Promise<unknown> {
    const def = this.#definition(id);
    const method = `callback_${id}`;
    const where = `callback:${id}`;
    const targets = options.filter ? this.handlersFor(id).filter(options.filter) : this.handlersFor(id);
    if (def.style === 'middleware') {
      let value = args[0];
      for (const ext of targets) {
        const rest = options.argsFor ? options.argsFor(ext) : args.slice(1);
        try {
          const returned = (ext as unknown as Record<string, Method>)[method]!.call(ext, value, ...rest);
          // Await only real promises: most callbacks are synchronous, and a needless await per
          // extension per request is measurable (before-request runs on every request).
          const result = isThenable(returned) ? await withTimeout(returned, this.timeoutMs, ext.id, where) : returned;
          this.health.recordSuccess(ext.id);
          if (result === undefined || result === null) {
            this.#logger.warn(
              { ext: ext.id, callback: id },
              `extension "${ext.id}" did not respect middleware contract for ${id} (returned ${result}); skipping its result`,
            );
          } else {
            value = result;
          }
        } catch (err) {
          this.health.recordFailure(ext.id, where, err);
        }
      }
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const ext of targets) {
      const callArgs = options.argsFor ? options.argsFor(ext) : args;
      try {
        const returned = (ext as unknown as Record<string, Method>)[method]!.call(ext, ...callArgs);
        const result = isThenable(returned) ? await withTimeout(returned, this.timeoutMs, ext.id, where) : returned;
        this.health.recordSuccess(ext.id);
        if (result !== undefined && result !== null) out[ext.id] = result;
      } catch (err) {
        this.health.recordFailure(ext.id, where, err);
      }
    }
    return out;
  }

  /** Typed `collect`: throws if the callback is a middleware one. */
  async collect<T = unknown>(id: string, ...args: unknown[]): Promise<Record<string, T>> {
    if (this.#definition(id).style !== 'collect') {
      throw new SpecterError('EXT_UNKNOWN_CALLBACK', `Callback "${id}" is a middleware callback, not collect.`, { hint: 'Use middleware().' });
    }
    return (await this.execute(id, ...args)) as Record<string, T>;
  }

  /** Typed `middleware`: threads `value` through every extension and returns the result. */
  async middleware<T>(id: string, value: T, ...rest: unknown[]): Promise<T> {
    if (this.#definition(id).style !== 'middleware') {
      throw new SpecterError('EXT_UNKNOWN_CALLBACK', `Callback "${id}" is a collect callback, not middleware.`, { hint: 'Use collect().' });
    }
    return (await this.execute(id, value, ...rest)) as T;
  }

  /**
   * Synchronous variant for hot paths (before-request, persistence). Extensions that return a
   * promise here are not awaited: their rejection is still counted, their value is ignored
   * (collect) or refused (middleware), with a one-time warning.
   */
  executeSync(id: string, ...args: unknown[]): unknown {
    const def = this.#definition(id);
    const method = `callback_${id}`;
    const where = `callback:${id}`;
    const middleware = def.style === 'middleware';
    let value = args[0];
    const out: Record<string, unknown> = {};
    for (const ext of this.handlersFor(id)) {
      try {
        const result = middleware
          ? (ext as unknown as Record<string, Method>)[method]!.call(ext, value, ...args.slice(1))
          : (ext as unknown as Record<string, Method>)[method]!.call(ext, ...args);
        if (isThenable(result)) {
          this.#warnAsync(ext.id, id);
          result.then(
            () => this.health.recordSuccess(ext.id),
            (err: unknown) => this.health.recordFailure(ext.id, where, err),
          );
          continue;
        }
        this.health.recordSuccess(ext.id);
        if (result === undefined || result === null) {
          if (middleware)
            this.#logger.warn(
              { ext: ext.id, callback: id },
              `extension "${ext.id}" did not respect middleware contract for ${id}; skipping its result`,
            );
        } else if (middleware) {
          value = result;
        } else {
          out[ext.id] = result;
        }
      } catch (err) {
        this.health.recordFailure(ext.id, where, err);
      }
    }
    return middleware ? value : out;
  }

  #warnAsync(extId: string, id: string): void {
    const key = `${extId}\0${id}`;
    if (this.#warnedAsync.has(key)) return;
    this.#warnedAsync.add(key);
    this.#logger.warn(
      { ext: extId, callback: id },
      `extension "${extId}" returned a promise from callback_${id}, which runs synchronously; its result is ignored`,
    );
  }
}
