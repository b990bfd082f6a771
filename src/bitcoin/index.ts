/**
 * Public entry of the crypto engine (`src/bitcoin/`): networks, extended keys (xpub/tpub and
 * SLIP-132), key origins, descriptors (parse, validate, checksum, build) and fast address
 * derivation. Watch-only: no private keys are accepted anywhere. No file I/O; depends only on
 * `src/errors` inside the app.
 */
export {
  NETWORKS,
  NETWORK_NAMES,
  getNetwork,
  isNetworkName,
  networkFamily,
  type KeyNetwork,
  type NetworkName,
  type NetworkParams,
} from './networks.js';
export {
  MULTISIG_SCRIPT_TYPES,
  SCRIPT_TYPE_NAMES,
  SINGLE_SIG_SCRIPT_TYPES,
  scriptTypeWords,
  assertKeyNetwork,
  convertExtendedKey,
  looksLikeExtendedKey,
  parseExtendedKey,
  slip132PrefixFor,
  type ExtendedKey,
  type KeyPrefix,
  type MultisigScriptType,
  type ParseKeyOptions,
  type ScriptType,
  type SingleSigScriptType,
} from './keys.js';
export {
  HARDENED,
  formatDerivationPath,
  formatKeyOrigin,
  parseDerivationPath,
  parseFingerprint,
  parseKeyOrigin,
  type KeyOrigin,
} from './paths.js';
export { parseKeyWithOrigin, formatKeyWithOrigin, type KeyWithOrigin } from './key-text.js';
export {
  combineDescriptors,
  parseDescriptor,
  withChecksum,
  type ChangeMode,
  type DescriptorKey,
  type ParseDescriptorOptions,
  type ParsedDescriptor,
} from './descriptor.js';
export { splitChecksum, SUPPORTED_FORMS } from './descriptor-syntax.js';
export { descriptorChecksum } from './descriptor-checksum.js';
export { multisigDescriptor, singleSigDescriptor, type KeyInput, type MultisigSpec } from './descriptor-build.js';
export {
  DEFAULT_PARALLEL_THRESHOLD,
  MAX_SYNC_COUNT,
  createAddressDeriver,
  type AddressDeriver,
  type DeriverOptions,
} from './deriver.js';
export type { Branch } from './plan.js';
export { shutdownDerivationWorkers } from './worker-pool.js';
export { secpBackend } from './secp.js';

import { secpBackend } from './secp.js';
/** Which secp256k1 implementation derivation uses: 'native' (libsecp256k1) or 'wasm' (fallback). */
export const secpBackendName: 'native' | 'wasm' = secpBackend.name;
export { transactionSizes, type TransactionSizes } from './transaction.js';
