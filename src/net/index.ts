export {
  HostHttpClient,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  type HostHttpClientOptions,
  type HostHttpResponse,
  type HostRequestInit,
} from './host-http-client.js';
export {
  NO_PROXY,
  isOnionHost,
  isPrivateHost,
  isolationCredentials,
  parseProxyUrl,
  redactUrl,
  routeFor,
  socksAgent,
  type ProxySettings,
  type ProxySettingsSource,
  type Route,
} from './routing.js';
