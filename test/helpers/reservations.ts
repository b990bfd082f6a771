import { reserveAddress, reserveAddresses, unreserveAddresses, type ReserveAddressesOptions } from '../../src/extensions/address-reservation.js';
import type { TestSpecter } from '../../src/testing/index.js';

/**
 * The core's reservation operations for one extension in one user's wallets: what
 * `ctx.addresses` does for a plugin with the `addresses:reserve` capability, without needing
 * a plugin that declares it (the reservation rules are what these tests check).
 */
export function reservationsOf(t: TestSpecter, extId: string, userId = 'admin') {
  const user = t.specter.userManager.require(userId);
  const ext = t.specter.extensionManager.get(extId);
  if (!ext) throw new Error(`extension ${extId} is not loaded`);
  const scope = { id: extId, label: `Reserved for ${ext.manifest.name}`, wallets: t.specter.walletsOf(user), store: t.specter.store };
  return {
    id: extId,
    reserveAddresses: (alias: string, options?: ReserveAddressesOptions) => reserveAddresses(scope, alias, options),
    reserveAddress: (alias: string, address: string, label?: string) => reserveAddress(scope, alias, address, label),
    unreserveAddresses: (alias: string) => unreserveAddresses(scope, alias),
  };
}
