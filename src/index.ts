/**
 * The public API of Specter TS for extension authors (`import … from 'specter-ts'`).
 * Everything here is documented in docs/extensions/ and kept stable; anything not exported here
 * is internal.
 */
export {
  Extension,
  defineManifest,
  Blueprint,
  CAPABILITIES,
  type Capability,
  type NamedCapability,
  type ExtensionContext,
  type JsonObject,
  type UserInfo,
  type ExtensionStore,
  type StorageApi,
  type FilesApi,
  type WalletInfo,
  type WalletsApi,
  type AddressInfo,
  type AddressesApi,
  type ReserveOptions,
  type AnnotationsApi,
  type WalletAnnotations,
  type UsersApi,
  type ActivationApi,
  type HttpApi,
  type HttpRequestOptions,
  type HttpResponse,
  type CallbackMap,
  type CallbacksApi,
  type InspectApi,
  type ExtensionManifestInput,
  type ExtensionManifest,
  type ExtensionCallbacks,
  type ExtensionTab,
  type InjectionView,
  type BlueprintSetup,
  type RouteHandler,
  type ExtRequest,
  type ExtReply,
  type ExtRouteOptions,
  type ExtensionScheduler,
  type JobSchedule,
  type JobContext,
  type JobFn,
  type UrlParams,
  type Devstatus,
  type Optionality,
} from './extensions/index.js';
export { SpecterError, isSpecterError, type ErrorKey } from './errors/index.js';
export { loginRequired, userSecretDecryptedRequired } from './server/plugins/extension-guards.js';
export { WelcomeVm } from './server/routes/welcome/index.js';
export { flash } from './server/flash.js';
export { VERSION } from './version.js';
// --- wallets and address reservation: begin
export { WalletsOverviewVm } from './server/routes/wallets/index.js';
export { MAX_RESERVED_ADDRESSES } from './extensions/address-reservation.js';
export type { Annotations } from './extensions/storage/index.js';
export type { WalletSyncedEvent, SyncedOutput, TxView, ChainView, Balances, Utxo } from './managers/chain/index.js';
export type { PsbtCreatedEvent, TransactionBroadcastEvent } from './managers/psbt/index.js';
export type { PriceProvider } from './managers/price/index.js';
// --- wallets and address reservation: end
