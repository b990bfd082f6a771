import { SpecterError } from '../errors/index.js';
import type { Extension } from './extension.js';
import { errorMessage, fileExists, importModule, resolveModulePath } from './module-loader.js';

/**
 * Device and node types contributed by extensions (manifest `devices`, `nodes`). The registries are
 * sinks the app passes in (the DeviceManager's type table, the NodeManager's), so this layer does
 * not depend on them.
 */
export interface TypeRegistry {
  /** True for values this registry takes (e.g. subclasses of Device). Default: any class. */
  accepts?(value: unknown): boolean;
  register(ext: Extension, type: unknown): void;
  /** Removes a type the extension registered (when it is unloaded at runtime). */
  unregister?(ext: Extension, type: unknown): void;
}

export interface ExtensionRegistries {
  devices?: TypeRegistry;
  nodes?: TypeRegistry;
}

export type ContributionKind = 'devices' | 'nodes';

const singular: Record<ContributionKind, string> = { devices: 'device', nodes: 'node' };

/**
 * Resolves the entries of `devices`/`nodes`: a module path contributes every export the registry
 * accepts (Specter: the Device subclasses of the module); a class contributes itself. Each type is
 * returned once (Specter appended them twice).
 */
export async function collectContributions(options: {
  extId: string;
  kind: ContributionKind;
  entries: ReadonlyArray<string | Function>;
  packageDir: string;
  registry?: TypeRegistry | undefined;
  /** Module URL query for a reloaded package (see importModule). */
  fresh?: string | undefined;
}): Promise<unknown[]> {
  const { extId, kind, registry } = options;
  // A registry may take plain objects (device type descriptors); without one, classes only.
  const accepts = (v: unknown) => (registry?.accepts ? registry.accepts(v) : typeof v === 'function');
  const out: unknown[] = [];
  const add = (v: unknown) => {
    if (!out.includes(v)) out.push(v);
  };
  for (const entry of options.entries) {
    if (typeof entry !== 'string') {
      if (!accepts(entry)) {
        throw new SpecterError(
          'EXT_LOAD_FAILED',
          `The extension ${extId} declared ${kind} with ${entry.name || 'a function'}, which is not a ${singular[kind]} type.`,
          {
            hint: `List ${singular[kind]} classes (or modules exporting them) in "${kind}".`,
          },
        );
      }
      add(entry);
      continue;
    }
    const file = resolveModulePath(options.packageDir, entry);
    if (!(await fileExists(file))) {
      throw new SpecterError(
        'EXT_LOAD_FAILED',
        `The extension ${extId} declared ${kind} and a module called ${entry} But that module is not existing (${file}).`,
        {
          hint: `Fix the path in "${kind}" (relative to the package folder).`,
        },
      );
    }
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(file, `${singular[kind]} module`, options.fresh);
    } catch (err) {
      throw new SpecterError('EXT_LOAD_FAILED', `The extension ${extId}: ${singular[kind]} module ${file} failed to import: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    const found = Object.values(mod).filter(accepts);
    if (found.length === 0) {
      throw new SpecterError(
        'EXT_LOAD_FAILED',
        `The extension ${extId} declared ${kind} and a module called ${entry} which doesn't contain any ${kind}.`,
        {
          hint: `Export the ${singular[kind]} classes from ${entry}.`,
        },
      );
    }
    found.forEach(add);
  }
  return out;
}
