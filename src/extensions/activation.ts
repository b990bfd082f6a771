import { SpecterError } from '../errors/index.js';
import type { Optionality } from './manifest.js';

/**
 * Per-user activation, pure functions over the user record's two lists:
 * `services` (ids active for the user, Specter's field) and `services_removed` (ids the user
 * deactivated on purpose; ours). Specter re-adds `opt_out` extensions at every startup because it
 * cannot tell "never had it" from "removed it"; the second list fixes that.
 *
 * - `mandatory`: always active, cannot be removed.
 * - `opt_out`: active for every user until that user removes it; never re-added after that.
 * - `opt_in`: only when the user adds it.
 */
export interface ActivatableExtension {
  id: string;
  optionality: Optionality;
}

export interface UserActivation {
  services: string[];
  servicesRemoved: string[];
}

/**
 * The user's service list after applying optionality (run at startup for each user and at
 * registration). Ids of extensions that are not loaded are kept: uninstalling an extension must
 * not forget who had it active. Order: the user's list, then additions in extension order.
 */
export function applyOptionality(
  userServices: readonly string[],
  removedByUser: readonly string[],
  extensions: readonly ActivatableExtension[],
): string[] {
  const out = [...new Set(userServices)];
  const removed = new Set(removedByUser);
  for (const ext of extensions) {
    if (out.includes(ext.id)) continue;
    if (ext.optionality === 'mandatory' || (ext.optionality === 'opt_out' && !removed.has(ext.id))) out.push(ext.id);
  }
  return out;
}

/** Whether a user may deactivate the extension. */
export function canDeactivate(ext: ActivatableExtension): boolean {
  return ext.optionality !== 'mandatory';
}

/** The user activates an extension: added to `services`, forgotten from `servicesRemoved`. */
export function activateService(state: UserActivation, extId: string): UserActivation {
  return {
    services: state.services.includes(extId) ? [...state.services] : [...state.services, extId],
    servicesRemoved: state.servicesRemoved.filter((id) => id !== extId),
  };
}

/**
 * The user deactivates an extension: removed from `services`, remembered in `servicesRemoved`
 * (so an opt_out one stays off). Deactivation keeps the extension's data, as in Specter.
 * A mandatory extension is refused with a VALIDATION error.
 */
export function deactivateService(state: UserActivation, ext: ActivatableExtension): UserActivation {
  if (!canDeactivate(ext)) {
    throw new SpecterError('VALIDATION', `The extension "${ext.id}" is mandatory and cannot be deactivated.`, {
      hint: 'Mandatory extensions are active for every user.',
      details: { ext: ext.id },
    });
  }
  return {
    services: state.services.filter((id) => id !== ext.id),
    servicesRemoved: state.servicesRemoved.includes(ext.id) ? [...state.servicesRemoved] : [...state.servicesRemoved, ext.id],
  };
}
