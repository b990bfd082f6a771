import type { Balances, Utxo } from './coins.js';
import type { ChainService } from './chain-service.js';
import type { ChainUser } from './core-link.js';
import type { TxView } from './tx-view.js';

/**
 * What an extension may read of the chain: balances, transactions and UTXOs of the current user's
 * wallets (the request's user; the admin outside requests, or the user given to `runAsUser`).
 * Read-only on purpose: syncing, freezing and rescans stay with the user and the core.
 */
export interface ChainView {
  balance(walletAlias: string): Promise<Balances>;
  transactions(walletAlias: string, page?: { from?: number; count?: number }): Promise<{ total: number; transactions: TxView[] }>;
  utxos(walletAlias: string): Promise<Utxo[]>;
}

export function chainView(service: ChainService, currentUser: () => ChainUser): ChainView {
  return {
    balance: (alias) => service.balance(currentUser(), alias),
    transactions: (alias, page = {}) => service.transactions(currentUser(), alias, page),
    utxos: (alias) => service.utxos(currentUser(), alias),
  };
}
