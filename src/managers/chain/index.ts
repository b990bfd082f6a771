export { btcToSats, satsToBtc } from './amounts.js';
export {
  CATEGORIES,
  chainStateSchema,
  emptyChainState,
  txRecordSchema,
  visibleTransactions,
  type Category,
  type ChainState,
  type TxRecord,
} from './chain-state.js';
export { CHAIN_FOLDER, JournalChainStateStore, type ChainStateChanges, type ChainStateStore } from './chain-store.js';
export { classify, draftFromCore, draftFromListing, listingSuffices, type CoreListEntry, type CoreWalletTx } from './core-tx.js';
export { coreUid, ensureCoreRange, linkWallet, type ChainUser } from './core-link.js';
export { LIST_PAGE, originIndex, syncWallet, type SyncOutcome } from './wallet-sync.js';
export { balances, listUtxos, parseOutpoint, relockFrozen, setFrozen, type Balances, type Utxo } from './coins.js';
export {
  ChainService,
  type ChainServiceOptions,
  type HistorySlice,
  type RescanStatus,
  type SyncResult,
  type SyncedOutput,
  type TxView,
  type WalletSyncedEvent,
} from './chain-service.js';
export { chainView, type ChainView } from './chain-view.js';
export { pullCoreLabels } from './core-labels.js';
export { HISTORY_SORTS, SORT_DIRS, sortHistory, type HistoryPage, type HistorySort, type SortDir } from './history-sort.js';
export {
  addressOwnership,
  feeRate,
  transactionDetail,
  type TxDetail,
  type TxInputDetail,
  type TxOutputDetail,
  type TxOwnership,
} from './tx-detail.js';
