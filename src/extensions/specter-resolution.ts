import { register } from 'node:module';
import { PACKAGE_ROOT } from '../version.js';
import type { SpecterResolveData } from './resolve-hook.js';

let registered = false;

/**
 * Installs the `specter-ts` resolve hook (see resolve-hook.ts) once per process. The extension
 * manager calls it before it imports any extension; `dist/src/register.js` calls it for
 * `node --import` (a plugin's own tests). Later calls are no-ops.
 */
export function registerSpecterResolution(): void {
  if (registered) return;
  registered = true;
  const data: SpecterResolveData = { packageRoot: PACKAGE_ROOT };
  register('./resolve-hook.js', { parentURL: import.meta.url, data });
}
