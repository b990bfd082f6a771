export {
  WalletManager,
  WALLETS_FOLDER,
  type ImportOptions,
  type LabelImportReport,
  type WalletManagerOptions,
  walletIdentity,
} from './wallet-manager.js';
export { MAX_MULTISIG_KEYS, type MultisigOptions, type SingleSigOptions } from './device-descriptors.js';
export { Wallet, GAP_LIMIT, LABEL_LOOKAHEAD, MAX_ADDRESS_PAGE, MAX_ADDRESS_LOOKAHEAD, MAX_INDEX, type WalletFiles } from './wallet.js';
export {
  LABEL_FORMATS,
  LABEL_FORMAT_NAMES,
  LABEL_FILE_TYPES,
  detectLabelFormat,
  isLabelFormat,
  parseLabels,
  serializeLabels,
  toSpecterLabels,
  fromSpecterLabels,
  type AddressLabel,
  type LabelFormat,
  type ParsedLabels,
} from './labels-io.js';
export { MAX_IMPORT_TEXT, checkTextLength } from './input-limits.js';
export { defaultLabel, type AddressInfo, type AddressSort } from './address-book.js';
export { parseWalletBackup, walletBackupSchema, type WalletBackup, type BackupDevice } from './backup.js';
export {
  ADDRESSES_SUFFIX,
  walletRecordSchema,
  addressesFileSchema,
  type AddressEntry,
  type AddressesFile,
  type WalletRecord,
} from './wallet-record.js';
