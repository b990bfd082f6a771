/**
 * The extension framework core (no HTTP): manifest and Extension base class, discovery, resolver,
 * loader (ExtensionManager), config merge, blueprints and url_for, callbacks, scheduler, per-user
 * activation helpers. The server mounts what this produces.
 */
export { Extension, isExtensionClass, EXTENSION_BRAND, type ExtensionClass, type InjectionView } from './extension.js';
export { createBasicHost, type ExtensionHost, type ExtensionPorts, type HostHttp } from './host.js';
export type * from './context/types.js';
export { createExtensionContext, type ContextInit } from './context/create-context.js';
export {
  CAPABILITIES,
  CapabilitySet,
  capabilityProblem,
  describeCapability,
  effectiveCapabilities,
  type Capability,
  type NamedCapability,
} from './capabilities.js';
export {
  defineManifest,
  parsePackageManifest,
  parseClassManifest,
  mergeManifests,
  finalizeManifest,
  type ExtensionManifest,
  type ExtensionManifestInput,
  type StrictManifestInput,
  type DependencySpec,
  type CallbackDeclaration,
  type CallbackStyle,
  type Devstatus,
  type Optionality,
  type ManifestOrigin,
} from './manifest.js';
export { classManifestSchema, packageManifestSchema, EXTENSION_ID_PATTERN, DEVSTATUSES, OPTIONALITIES } from './manifest-schema.js';
export {
  discoverExtensions,
  discoverBuiltin,
  discoverList,
  discoverNpm,
  discoverCwd,
  readPackageJson,
  SOURCE_ORDER,
  type DiscoveredPackage,
  type DiscoveryOptions,
  type SourceTag,
} from './discovery.js';
export { inspectPackage, inspectInline, findExtensionClass, type Candidate, type InlineExtension, type PreImportGate } from './package-inspector.js';
export {
  resolveExtensions,
  devstatusAllows,
  checkEngines,
  DEVSTATUS_RANK,
  type ExtensionStatus,
  type ResolvableCandidate,
  type ResolveOptions,
  type Resolution,
  type ResolveResult,
} from './resolver.js';
export { dependencyOrder, findCycles, type GraphNode } from './ordering.js';
export {
  ExtensionManager,
  type ExtensionManagerOptions,
  type ExtensionStatusInfo,
  type ExtensionSetChange,
  type ExtensionSetListener,
} from './extension-manager.js';
export { loadExtension, unloadExtension, type LoadedExtension, type LoaderEnv } from './extension-loader.js';
export { Disposables, type Disposable } from './disposables.js';
export { InflightRequests } from './inflight.js';
export { PluginsWatcher, PLUGINS_FILE, type PluginsWatcherOptions } from './plugins-folder.js';
export { mergeExtensionConfig, configValues, type ConfigMergeResult } from './config-merge.js';
export {
  Blueprint,
  blueprintName,
  blueprintPrefix,
  validateDefaultBlueprint,
  registerBlueprintEndpoints,
  type BlueprintSetup,
  type BlueprintRoute,
  type RouteHandler,
  type ExtRequest,
  type ExtReply,
  type ExtRouteOptions,
  type HttpMethod,
} from './blueprint.js';
export { EndpointRegistry, type UrlParams } from './endpoints.js';
export { CallbackRegistry, withTimeout, type ExecuteOptions } from './callbacks.js';
export { CORE_CALLBACKS, type CallbackDefinition, type CoreCallbackId, type ExtensionCallbacks, type ExtensionTab } from './callback-catalogue.js';
export { ExtensionHealth, type ExtensionErrorRecord, type TripInfo } from './health.js';
export { Scheduler, type ExtensionScheduler, type JobSchedule, type JobFn, type JobContext, type JobInfo, type JobRunResult } from './scheduler.js';
export { collectContributions, type TypeRegistry, type ExtensionRegistries } from './contributions.js';
export { applyOptionality, canDeactivate, activateService, deactivateService, type ActivatableExtension, type UserActivation } from './activation.js';
