export {
  WalletManager,
  WALLETS_FOLDER,
  MAX_MULTISIG_KEYS,
  type ImportOptions,
  type MultisigOptions,
  type SingleSigOptions,
  type WalletManagerOptions,
  walletIdentity,
} from './wallet-manager.js';
export { Wallet, GAP_LIMIT, MAX_ADDRESS_PAGE, MAX_ADDRESS_LOOKAHEAD, type WalletFiles } from './wallet.js';
export { defaultLabel, type AddressInfo } from './address-book.js';
export { parseWalletBackup, walletBackupSchema, type WalletBackup, type BackupDevice } from './backup.js';
export {
  ADDRESSES_SUFFIX,
  walletRecordSchema,
  addressesFileSchema,
  type AddressEntry,
  type AddressesFile,
  type WalletRecord,
} from './wallet-record.js';
