import { SpecterError } from '../../errors/index.js';
import type { CallbackRegistry } from '../callbacks.js';
import type { CapabilitySet } from '../capabilities.js';
import type { ExtensionPorts } from '../host.js';
import type { ExtensionScheduler, Scheduler } from '../scheduler.js';
import type { CallbacksApi, HttpApi, InspectApi } from './types.js';
import { portsOf } from './user-scope.js';

/** Core callbacks a plugin may fire: requests to another plugin, not events of the core. */
const FIREABLE_CORE_CALLBACKS: ReadonlySet<string> = new Set(['create_and_show_notification']);

/**
 * Callbacks: a plugin fires the callbacks it defined and the core's requests (a notification),
 * never the core's events — a forged `wallet_synced` or `flash` would mislead the others.
 */
export function callbacksFacet(registry: CallbackRegistry, extId: string): CallbacksApi {
  const own = (id: string, what: string) => {
    const def = registry.get(id);
    if (def && (def.definedBy === extId || (def.definedBy === 'core' && FIREABLE_CORE_CALLBACKS.has(id)))) return;
    throw new SpecterError(
      def ? 'EXT_ACCESS_DENIED' : 'EXT_UNKNOWN_CALLBACK',
      def
        ? `Plugin "${extId}" called ${what} for "${id}", which ${def.definedBy === 'core' ? 'the core' : `plugin "${def.definedBy}"`} defines; a plugin fires only its own callbacks (and create_and_show_notification).`
        : `Plugin "${extId}" called ${what} for "${id}", which nobody defined.`,
      {
        hint: `Declare it in the manifest's "callbacks" (or call ctx.callbacks.define("${id}") first).`,
        details: { extensionId: extId, callback: id },
      },
    );
  };
  return {
    define: (id, style = 'collect', description) => {
      registry.defineCallback({ id, style, ...(description !== undefined && { description }) }, extId);
    },
    execute: async (id, ...args) => {
      own(id, 'ctx.callbacks.execute()');
      return (await registry.execute(id, ...args)) as never;
    },
    collect: async (id, ...args) => {
      own(id, 'ctx.callbacks.collect()');
      return registry.collect(id, ...args);
    },
    middleware: async (id, value, ...rest) => {
      own(id, 'ctx.callbacks.middleware()');
      return registry.middleware(id, value, ...rest);
    },
  };
}

/** The plugin's jobs, behind the `jobs` capability. */
export function schedulerFacet(scheduler: Scheduler, caps: CapabilitySet): ExtensionScheduler {
  const inner = scheduler.forExtension(caps.extId);
  return {
    extId: caps.extId,
    addJob: (id, fn, schedule) => {
      caps.require('jobs', 'ctx.scheduler.addJob()');
      return inner.addJob(id, fn, schedule);
    },
    removeJob: (id) => inner.removeJob(id),
    runNow: (id) => inner.runNow(id),
    list: () => inner.list(),
  };
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 60_000;

/** The host's HTTP client, limited to the hosts of the plugin's `network:` capabilities. */
export function httpFacet(ports: ExtensionPorts | undefined, caps: CapabilitySet): HttpApi {
  return {
    request: async (input, options = {}) => {
      let url: URL;
      try {
        url = new URL(String(input));
      } catch {
        throw new SpecterError('VALIDATION', `Plugin "${caps.extId}" asked ctx.http for ${JSON.stringify(String(input))}, which is not a URL.`, {
          hint: 'Give an absolute http(s) URL.',
        });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new SpecterError('VALIDATION', `Plugin "${caps.extId}" asked ctx.http for a ${url.protocol} URL; only http and https are served.`, {
          hint: 'Give an absolute http(s) URL.',
        });
      }
      caps.requireHost(url, `ctx.http.request("${url.origin}")`);
      const timeoutMs = Math.min(Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS), MAX_TIMEOUT_MS);
      return portsOf(ports, caps.extId, 'ctx.http.request()').http.request(url, { ...options, timeoutMs, source: `plugin ${caps.extId}` });
    },
  };
}

/** What `inspect` reads: the manager's statuses, the callback table and the jobs. */
export type InspectSource = InspectApi;

export function inspectFacet(source: InspectSource | undefined, caps: CapabilitySet): InspectApi {
  const check = (what: string): InspectSource => {
    caps.require('extensions:inspect', what);
    if (source) return source;
    throw new SpecterError('EXT_STORAGE', `Plugin "${caps.extId}" called ${what}; this host has no extension manager.`, {
      hint: 'Run the plugin inside Specter TS.',
    });
  };
  return {
    extensions: () => check('ctx.inspect.extensions()').extensions(),
    errors: (extId) => check('ctx.inspect.errors()').errors(extId),
    callbacks: () => check('ctx.inspect.callbacks()').callbacks(),
    jobs: () => check('ctx.inspect.jobs()').jobs(),
    activeForCurrentUser: () => check('ctx.inspect.activeForCurrentUser()').activeForCurrentUser(),
  };
}
