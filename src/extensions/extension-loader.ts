import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/index.js';
import { SpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { Blueprint, BLUEPRINT_KEY, blueprintPrefix, registerBlueprintEndpoints, validateDefaultBlueprint, type BlueprintSetup } from './blueprint.js';
import type { CallbackRegistry } from './callbacks.js';
import { mergeExtensionConfig, type ConfigMergeResult } from './config-merge.js';
import { collectContributions, type ExtensionRegistries } from './contributions.js';
import type { EndpointRegistry } from './endpoints.js';
import { createExtensionContext } from './context/create-context.js';
import type { InspectSource } from './context/runtime-facets.js';
import { migrateExtensionData } from './data-migration.js';
import type { Disposables } from './disposables.js';
import { Extension } from './extension.js';
import type { ExtensionHost } from './host.js';
import { errorMessage, fileExists, importModule, resolveModulePath } from './module-loader.js';
import type { Candidate } from './package-inspector.js';
import type { Scheduler } from './scheduler.js';

/** Everything the loader needs from the manager. */
export interface LoaderEnv {
  host: ExtensionHost;
  config: AppConfig;
  configChain: readonly string[];
  /** App data folder; extension folders go to `<dataFolder>/extensions/<id>/`. */
  dataFolder: string;
  logger: Logger;
  callbacks: CallbackRegistry;
  endpoints: EndpointRegistry;
  registries: ExtensionRegistries;
  scheduler: Scheduler;
  /** The manager's read-only view for `ctx.inspect` (capability `extensions:inspect`). */
  inspect?: InspectSource;
  /** Where `ctx.onDispose` registers; the manager runs them when the extension stops. */
  disposables: Disposables;
}

export interface LoadedExtension {
  instance: Extension;
  /** Default first, then the keyed ones in declaration order. */
  blueprints: Blueprint[];
  devices: unknown[];
  nodes: unknown[];
  configKeys: string[];
  endpointNames: string[];
  /** Puts back the config keys the extension's config module set (unloading). */
  restoreConfig(): void;
}

async function dirIfExists(p: string): Promise<string | undefined> {
  try {
    return (await fs.stat(p)).isDirectory() ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Where default modules live: next to main, or the package folder for manifest-only extensions. */
function besideMain(candidate: Candidate, file: string): string {
  return path.join(candidate.mainPath ? path.dirname(candidate.mainPath) : candidate.path, file);
}

async function loadConfigModule(candidate: Candidate, env: LoaderEnv): Promise<ConfigMergeResult | undefined> {
  const m = candidate.manifest!;
  let mod: Record<string, unknown> | undefined = candidate.inline?.configModule;
  let file: string | undefined;
  if (!mod) {
    if (m.configModule) file = resolveModulePath(candidate.path, m.configModule);
    else if (candidate.source !== 'inline') {
      const fallback = besideMain(candidate, 'config.js');
      if (await fileExists(fallback)) file = fallback;
    }
    if (!file) return undefined;
    mod = await importModule(file, 'config module', candidate.fresh);
  }
  const merge = { extId: m.id, module: mod, chain: env.configChain, config: env.config };
  const result = mergeExtensionConfig(file ? { ...merge, modulePath: file } : merge);
  if (!result.used)
    env.logger.warn({ ext: m.id }, `extension "${m.id}" has a config module but no export named ${env.configChain.join(' or ')}; skipping it`);
  return result;
}

async function buildBlueprints(candidate: Candidate, ext: Extension, env: LoaderEnv): Promise<Blueprint[]> {
  const m = candidate.manifest!;
  const templateFolder = await dirIfExists(path.resolve(candidate.path, m.templates));
  const staticFolder = await dirIfExists(path.resolve(candidate.path, m.static));
  const make = (key: string, module?: string) =>
    new Blueprint({
      extId: m.id,
      key,
      urlPrefix: blueprintPrefix(env.config, m.id, key, m.isolatedClient),
      templateFolder,
      staticFolder,
      isolatedClient: m.isolatedClient,
      module,
    });
  if (!m.hasBlueprint) return [make('default')]; // static files and icons still get a URL

  const modules = m.blueprintModules ?? { default: '' };
  const blueprints: Blueprint[] = [];
  for (const key of ['default', ...Object.keys(modules).filter((k) => k !== 'default')]) {
    if (!BLUEPRINT_KEY.test(key)) {
      throw new SpecterError('EXT_BLUEPRINT_INVALID', `extension "${m.id}": blueprint key "${key}" is not valid.`, {
        hint: 'Use lowercase letters, digits, "_" and "-": the key becomes a URL segment.',
      });
    }
    let setup: unknown = candidate.inline?.controllers?.[key];
    let file: string | undefined;
    if (!setup) {
      file = modules[key] ? resolveModulePath(candidate.path, modules[key]) : besideMain(candidate, 'controller.js');
      try {
        setup = (await importModule(file, 'controller module', candidate.fresh)).default;
      } catch (err) {
        throw new SpecterError(
          'EXT_BLUEPRINT_INVALID',
          `There was an issue finding a controller module: ${file}, for the "${key}" blueprint of extension "${m.id}": ${errorMessage(err)}`,
          {
            hint: 'Set blueprintModule(s) to the controller module, or hasBlueprint: false if the extension has no UI.',
            cause: err,
          },
        );
      }
    }
    const bp = make(key, file);
    if (typeof setup !== 'function') {
      throw new SpecterError('EXT_BLUEPRINT_INVALID', `extension "${m.id}": controller ${file ?? key} has no default export function.`, {
        hint: "Write \"export default function controller(bp, ext) { bp.get('/', 'index', handler); }\".",
      });
    }
    await (setup as BlueprintSetup<Extension>)(bp, ext);
    blueprints.push(bp);
  }
  validateDefaultBlueprint(blueprints[0]!);
  return blueprints;
}

/**
 * Loads one resolved extension: data folder, config merge, its callback definitions, the instance,
 * blueprints, devices and nodes, endpoint registration. Throws on any failure after undoing what it
 * changed in shared state (config keys, callback definitions, endpoints), so a failed extension
 * leaves no trace but its status.
 */
export async function loadExtension(candidate: Candidate, env: LoaderEnv): Promise<LoadedExtension> {
  const m = candidate.manifest!;
  const logger = env.logger.child({ ext: m.id });
  const dataFolder = path.join(env.dataFolder, 'extensions', m.id);
  const cls = candidate.extensionClass ?? Extension;
  let config: ConfigMergeResult | undefined;
  let instance: Extension | undefined;
  let endpointNames: string[] = [];
  try {
    await stage(m.id, `creating the data folder ${dataFolder}`, () => fs.mkdir(dataFolder, { recursive: true, mode: 0o700 }));
    config = await stage(m.id, 'loading the config module', () => loadConfigModule(candidate, env));
    for (const def of m.callbacks) env.callbacks.defineCallback(def, m.id);
    const ctx = createExtensionContext({
      host: env.host,
      manifest: m,
      dataFolder,
      config: env.config as unknown as Record<string, unknown>,
      logger,
      callbacks: env.callbacks,
      scheduler: env.scheduler,
      endpoints: env.endpoints,
      onDispose: (fn) => env.disposables.add(m.id, fn),
      ...(env.inspect && { inspect: env.inspect }),
    });
    instance = await stage(m.id, `the constructor of ${cls.name}`, () => new cls(ctx));
    checkInjectionCapability(instance);
    const ports = env.host.extensionPorts;
    const migrating = instance;
    if (ports)
      await stage(m.id, 'migrating its data', () =>
        migrateExtensionData({ ext: migrating, folder: dataFolder, ports, store: env.host.store, logger }),
      );
    const ext = instance;
    const blueprints = await stage(m.id, 'setting up its blueprints', () => buildBlueprints(candidate, ext, env));
    const devices = await collectContributions({
      extId: m.id,
      kind: 'devices',
      entries: m.devices,
      packageDir: candidate.path,
      registry: env.registries.devices,
      fresh: candidate.fresh,
    });
    const nodes = await collectContributions({
      extId: m.id,
      kind: 'nodes',
      entries: m.nodes,
      packageDir: candidate.path,
      registry: env.registries.nodes,
      fresh: candidate.fresh,
    });
    endpointNames = registerBlueprintEndpoints(env.endpoints, blueprints);
    // Last, because a registry cannot be rolled back.
    await stage(m.id, 'registering its device and node types', () => {
      for (const d of devices) env.registries.devices?.register(ext, d);
      for (const n of nodes) env.registries.nodes?.register(ext, n);
    });
    const merged = config;
    return { instance, blueprints, devices, nodes, configKeys: config?.keys ?? [], endpointNames, restoreConfig: () => merged?.restore() };
  } catch (err) {
    for (const name of endpointNames) env.endpoints.unregister(name);
    env.callbacks.removeCallbacksDefinedBy(m.id);
    config?.restore();
    try {
      await instance?.onStop?.();
    } catch {
      // Best effort: the load already failed; the first error is the one to report.
    }
    await env.disposables.dispose(m.id, { timeoutMs: Number(env.config.EXTENSION_UNLOAD_TIMEOUT ?? 10_000), logger });
    throw err;
  }
}

const INJECTION_HOOKS = ['injectInBasejinjaHead', 'injectInBasejinjaBodyTop', 'injectInBasejinjaBodyBottom'] as const;

/** An extension that adds HTML to every page must say so (`pages:inject`): the admin sees it on install. */
function checkInjectionCapability(ext: Extension): void {
  const hook = INJECTION_HOOKS.find((h) => typeof ext[h] === 'function');
  if (!hook || ext.manifest.capabilities.includes('pages:inject')) return;
  throw new SpecterError('EXT_CAPABILITY_MISSING', `extension "${ext.id}" defines ${hook}() but does not declare the capability "pages:inject".`, {
    hint: 'Add "pages:inject" to "capabilities" in its manifest, or remove the injection hook.',
    details: { extensionId: ext.id, capability: 'pages:inject' },
  });
}

/**
 * Undoes {@link loadExtension} in shared state, for an extension unloaded at runtime: its endpoints,
 * the callbacks it defined, its device and node types and its config keys go. The caller has
 * stopped its requests, jobs and `stop()` first.
 */
export function unloadExtension(loaded: LoadedExtension, env: Pick<LoaderEnv, 'callbacks' | 'endpoints' | 'registries' | 'logger'>): void {
  const ext = loaded.instance;
  for (const name of loaded.endpointNames) env.endpoints.unregister(name);
  env.callbacks.removeCallbacksDefinedBy(ext.id);
  const undo: Array<[TypeRegistryLike | undefined, unknown[]]> = [
    [env.registries.devices, loaded.devices],
    [env.registries.nodes, loaded.nodes],
  ];
  for (const [registry, types] of undo) {
    for (const type of types) {
      try {
        registry?.unregister?.(ext, type);
      } catch (err) {
        env.logger.warn({ ext: ext.id, err }, `extension "${ext.id}": a type it registered could not be removed: ${errorMessage(err)}`);
      }
    }
  }
  loaded.restoreConfig();
}

type TypeRegistryLike = ExtensionRegistries['devices'];

/**
 * Runs one loading step; a foreign throw (the extension's own code) becomes EXT_LOAD_FAILED naming
 * the extension and the step, so the status says where it broke. Our own SpecterErrors already do.
 */
async function stage<T>(extId: string, what: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SpecterError) throw err;
    const message = errorMessage(err).replace(/([^.!?])$/, '$1.');
    throw new SpecterError('EXT_LOAD_FAILED', `extension "${extId}": ${what} failed: ${message}`, {
      hint: 'The stack is in the log.',
      details: { ext: extId },
      cause: err,
    });
  }
}
