import path from 'node:path';
import type { InitializeHook, ResolveHook } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Module resolve hook (runs on Node's loader thread, registered by `specter-resolution.ts`):
 * `specter-ts` and `specter-ts/<subpath>` always resolve to the RUNNING core, whoever imports them
 * (a built-in, a plugin in `<data>/plugins/node_modules/`, a package on EXTENSION_LIST). No
 * `node_modules/specter-ts` link and no registry copy are needed, and no second copy of the core
 * (with its own `Extension` class) can sneak in.
 *
 * How: the specifier is resolved as if it were imported from the core's own package.json, which
 * is Node's package self-reference: the core's `exports` map, conditions and errors apply exactly
 * as for any package (a subpath the core does not export stays an ERR_PACKAGE_PATH_NOT_EXPORTED).
 */
export interface SpecterResolveData {
  /** The core's package folder (holds the package.json named "specter-ts"). */
  packageRoot: string;
}

let coreParentUrl: string | undefined;

export const initialize: InitializeHook<SpecterResolveData> = (data) => {
  coreParentUrl = pathToFileURL(path.join(data.packageRoot, 'package.json')).href;
};

export function isSpecterSpecifier(specifier: string): boolean {
  return specifier === 'specter-ts' || specifier.startsWith('specter-ts/');
}

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  if (coreParentUrl && isSpecterSpecifier(specifier)) return nextResolve(specifier, { ...context, parentURL: coreParentUrl });
  return nextResolve(specifier, context);
};
