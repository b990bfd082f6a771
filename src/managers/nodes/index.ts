export { NodeTypeRegistry, BUILTIN_NODE_TYPES, type NodeType } from './node-types.js';
export { NodeManager, NODES_FOLDER, type AddResult, type NodeInput, type NodeManagerOptions } from './node-manager.js';
export {
  DEFAULT_RPC_PORTS,
  defaultDatadir,
  isValidNodeAlias,
  nodeAliasFromName,
  nodeRecordSchema,
  parseNodeFile,
  parseNodeInput,
  toPublic,
  type NodeRecord,
  type PublicNode,
} from './node-record.js';
export { NodeStatusMonitor, emptyStatus, type NodeStatus, type StatusMonitorOptions, type StatusSource } from './node-status.js';
export {
  RpcClient,
  WalletRpc,
  DEFAULT_RPC_TIMEOUT_MS,
  type BatchCall,
  type BatchResult,
  type CallOptions,
  type RpcClientOptions,
  type RpcConnection,
  type RpcParams,
} from './rpc-client.js';
export { MIN_CORE_VERSION, RPC_CODES, formatCoreVersion, rpcErrorCode } from './rpc-errors.js';
export { CONF_NETWORKS, confValue, parseBitcoinConf, parseCookie, type BitcoinConf, type ConfNetwork } from './bitcoin-conf.js';
export { autodetectCandidates, readBitcoinConf, type AutodetectOptions, type DetectedConnection } from './autodetect.js';
export {
  CHECKS,
  connectionCandidates,
  testNodeConnection,
  testOneConnection,
  type CheckName,
  type CheckResult,
  type ConnectionTestResult,
} from './connection-test.js';
export {
  assertWalletMatchesChain,
  chainToNetwork,
  coreWalletName,
  importWallet,
  loadCoreWallet,
  nodeInfo,
  unloadCoreWallet,
  type ImportWalletOptions,
  type ImportWalletResult,
  type NodeInfo,
} from './core-wallets.js';
