import type { Logger } from '../../log/index.js';
import type { CallbackRegistry } from '../callbacks.js';
import { CapabilitySet } from '../capabilities.js';
import type { EndpointRegistry } from '../endpoints.js';
import type { ExtensionHost } from '../host.js';
import type { ExtensionManifest } from '../manifest.js';
import type { Scheduler } from '../scheduler.js';
import { filesFacet, storageFacet } from './data-facets.js';
import { callbacksFacet, httpFacet, inspectFacet, schedulerFacet, type InspectSource } from './runtime-facets.js';
import type { ExtensionContext, JsonObject } from './types.js';
import { actAs, actingUser, portsOf, userInfo, userToActFor } from './user-scope.js';
import { addressesFacet, annotationsFacet, walletsFacet } from './wallet-facets.js';

/** The live config, read-only for the plugin (a write throws in strict mode). */
function readOnlyView<T extends object>(target: T): Readonly<T> {
  return new Proxy(target, { set: () => false, defineProperty: () => false, deleteProperty: () => false });
}

export interface ContextInit {
  host: ExtensionHost;
  manifest: ExtensionManifest;
  /** `<data>/extensions/<id>/`, created. */
  dataFolder: string;
  /** The app config with the extension's keys merged in. */
  config: Readonly<Record<string, unknown>>;
  logger: Logger;
  callbacks: CallbackRegistry;
  scheduler: Scheduler;
  endpoints: EndpointRegistry;
  inspect?: InspectSource;
  /** Registers an `onDispose` function; the manager runs them when the extension stops. */
  onDispose: (fn: () => unknown) => void;
}

/**
 * Builds the one object an extension gets. Each facet is bound to the extension's id and checked
 * against its capabilities on every call, so what a plugin can reach is exactly what its manifest
 * declares (and what the admin saw on install).
 */
export function createExtensionContext<Data extends object = JsonObject>(init: ContextInit): ExtensionContext<Data> {
  const { host, manifest: m } = init;
  const ports = host.extensionPorts;
  const caps = new CapabilitySet(m.id, m.capabilities);
  const walletOptions = { ports, caps, extId: m.id, defaultLabel: `Reserved for ${m.name}`, store: host.store };
  const ctx: ExtensionContext<Data> = {
    id: m.id,
    manifest: m,
    config: readOnlyView(init.config),
    log: init.logger,
    version: host.version,
    files: filesFacet(host.store, init.dataFolder, m.id),
    storage: storageFacet<Data>(ports, m.id, m.encryptData),
    annotations: annotationsFacet(walletOptions),
    wallets: walletsFacet(walletOptions),
    addresses: addressesFacet(walletOptions),
    users: {
      current: () => {
        try {
          return userInfo(actingUser(m.id, 'ctx.users.current()'));
        } catch {
          return undefined;
        }
      },
      list: () => {
        caps.require('users:read', 'ctx.users.list()');
        const p = portsOf(ports, m.id, 'ctx.users.list()');
        return p
          .users()
          .filter((u) => p.isActiveFor(u, m.id))
          .map(userInfo);
      },
    },
    activation: {
      isActiveFor: (userId) => {
        const p = portsOf(ports, m.id, 'ctx.activation.isActiveFor()');
        const user = p.user(userId);
        return !!user && p.isActiveFor(user, m.id);
      },
    },
    scheduler: schedulerFacet(init.scheduler, caps),
    callbacks: callbacksFacet(init.callbacks, m.id),
    http: httpFacet(ports, caps),
    inspect: inspectFacet(init.inspect, caps),
    urlFor: (endpoint, params) => init.endpoints.urlFor(endpoint.startsWith('.') ? `${m.id}_endpoint${endpoint}` : endpoint, params),
    asUser: async (userId, fn) => {
      caps.require('users:read', 'ctx.asUser()');
      const user = userToActFor(portsOf(ports, m.id, 'ctx.asUser()'), m.id, userId, 'ctx.asUser()');
      return actAs(user, fn);
    },
    onDispose: (fn) => {
      init.onDispose(fn);
    },
  };
  return Object.freeze(ctx);
}
