import type { Specter } from '../specter/index.js';
import type { User } from '../managers/users/index.js';

/**
 * A wallet created while a node is active gets its watch-only wallet on the node right away, and
 * a first sync (rescan from its blockheight). The page or API call that created the wallet does
 * not wait for it: a problem (a wallet of another network) shows on the wallet's History tab.
 */
export function linkNewWallet(specter: Specter, user: User, alias: string): void {
  void (async () => {
    if (!(await specter.nodeManager.active())) return;
    await specter.chain.sync(user, alias);
  })().catch((err: unknown) => specter.logger.warn({ err, wallet: alias }, 'could not create the new wallet on the node'));
}
