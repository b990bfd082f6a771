import { withTimeout } from './callbacks.js';
import type { Disposables } from './disposables.js';
import { unloadExtension, type LoadedExtension, type LoaderEnv } from './extension-loader.js';
import type { ExtensionHealth } from './health.js';
import type { InflightRequests } from './inflight.js';
import { errorMessage } from './module-loader.js';
import type { Scheduler } from './scheduler.js';

export interface UnloadDeps {
  env: LoaderEnv;
  inflight: InflightRequests;
  scheduler: Scheduler;
  disposables: Disposables;
  health: ExtensionHealth;
  /** Bound of each wait (requests in flight, running jobs, stop(), each disposer): EXTENSION_UNLOAD_TIMEOUT. */
  timeoutMs: number;
}

/**
 * Takes a running extension out of the app, in the order that keeps every request whole. The
 * caller has already removed it from the loaded set and the callback order, so no new request or
 * callback reaches it; then: the requests in flight finish → its jobs stop and are awaited → its
 * `onStop()` and disposables run → its endpoints, callback definitions, device and node types and
 * config keys go → its health record is forgotten (switched on again, it starts clean). Each wait
 * is bounded; what overruns is logged by name and the unload goes on.
 */
export async function unloadRunning(loaded: LoadedExtension, deps: UnloadDeps): Promise<void> {
  const ext = loaded.instance;
  const { logger } = deps.env;
  const { timeoutMs } = deps;
  if (!(await deps.inflight.drain(ext.id, timeoutMs))) {
    const left = deps.inflight.count(ext.id);
    logger.warn({ ext: ext.id, inflight: left }, `extension "${ext.id}" is unloaded with ${left} request(s) still running after ${timeoutMs} ms`);
  }
  await deps.scheduler.stopJobsOf(ext.id, { timeoutMs });
  if (typeof ext.onStop === 'function') {
    try {
      const returned = ext.onStop();
      if (returned instanceof Promise) await withTimeout(returned, timeoutMs, ext.id, 'onStop()');
    } catch (err) {
      logger.error({ ext: ext.id, err }, `extension "${ext.id}" failed in onStop(): ${errorMessage(err)}`);
    }
  }
  await deps.disposables.dispose(ext.id, { timeoutMs, logger });
  unloadExtension(loaded, deps.env);
  deps.health.forget(ext.id);
  logger.info({ ext: ext.id }, `extension "${ext.id}" unloaded`);
}
