export { BuiltinTor, findTor, type BuiltinTorOptions, type RunningTor } from './builtin-tor.js';
export { TorControlClient, parseKeyValues, type OnionService, type ProtocolInfo, type TorAuth, type TorReply } from './control-client.js';
export { TorSecrets, hashControlPassword, SECRET_FILES, TOR_FOLDER } from './secrets.js';
export {
  TorService,
  TOR_TYPES,
  DEFAULT_CONTROL_PORT,
  DEFAULT_PROXY_URL,
  torTypeOf,
  type TorServiceOptions,
  type TorSettingsInput,
  type TorStatus,
  type TorType,
} from './tor-service.js';
