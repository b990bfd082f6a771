/**
 * The one catalogue of error codes. Every error Specter TS raises on purpose carries one of these
 * codes, so scripts, tests and extension authors can rely on them across releases.
 *
 * Each layer owns one block below. A code never changes meaning once released; add new ones.
 * `status` is the HTTP status the server answers with when the error reaches a request: 409 for a conflict
 * (a name or id that is already taken). docs/errors.md explains every code; test/unit/errors/catalogue.test.ts
 * pins the codes and their statuses, so a change here is deliberate.
 */
export interface CatalogueEntry {
  /** HTTP status used when the error escapes to a request handler. */
  readonly status: number;
  /** One line: what went wrong, for the documentation table. */
  readonly summary: string;
}

const general = {
  INTERNAL: { status: 500, summary: 'An unexpected internal error.' },
  NOT_FOUND: { status: 404, summary: 'The page or object does not exist.' },
  BAD_REQUEST: { status: 400, summary: 'The request is malformed.' },
  VALIDATION: { status: 400, summary: 'Input failed validation; the message names the field.' },
  TIMEOUT: { status: 503, summary: 'A request or a plugin call took longer than its time limit and was stopped.' },
} as const satisfies Record<string, CatalogueEntry>;

const persistence = {
  DATA_FILE_CORRUPT: { status: 500, summary: 'A data file does not parse; it is left untouched.' },
  DATA_FILE_WRITE: { status: 500, summary: 'A data file could not be written; the old content is kept.' },
  DATA_FILE_READ: { status: 500, summary: 'A data file exists but could not be read (permissions, I/O error).' },
  CRYPTO_INVALID_TOKEN: { status: 500, summary: 'A Fernet token is malformed, tampered with or was made with another key.' },
  CRYPTO_BAD_KEY: { status: 500, summary: 'A Fernet key is not 32 bytes of urlsafe base64.' },
  ENCRYPTED_STORAGE_VERSION: { status: 500, summary: 'An encrypted data file has an unsupported encrypted_storage_version.' },
} as const satisfies Record<string, CatalogueEntry>;

const config = {
  CONFIG_INVALID: { status: 500, summary: 'A configuration value or config.json is invalid.' },
  CONFIG_KEY_OVERRIDE: { status: 409, summary: 'An extension config tried to override an existing core key.' },
  CONFIG_AUTH_UNSET: { status: 500, summary: 'config.json names no valid auth method while users have passwords; the app refuses to start open.' },
} as const satisfies Record<string, CatalogueEntry>;

const auth = {
  AUTH_REQUIRED: { status: 401, summary: 'Login is required.' },
  AUTH_FAILED: { status: 401, summary: 'Username or password is wrong.' },
  AUTH_FORBIDDEN: { status: 403, summary: 'The user may not do this (e.g. not an admin).' },
  CSRF_INVALID: { status: 403, summary: 'The CSRF token is missing or invalid.' },
  HOST_FORBIDDEN: { status: 403, summary: 'The request named a host this app does not answer for (DNS-rebinding defence).' },
  RATE_LIMITED: { status: 429, summary: 'Too many attempts; wait and try again.' },
  USER_EXISTS: { status: 409, summary: 'A user with that username already exists.' },
  USER_NOT_FOUND: { status: 404, summary: 'No such user.' },
  USER_INVALID: { status: 400, summary: 'A user field (username, password) is invalid.' },
  USER_SECRET_LOCKED: { status: 401, summary: 'The user secret is not decrypted: log in again with the password.' },
  USER_SECRET_UNAVAILABLE: { status: 409, summary: 'The auth mode has no password, so there is no user secret.' },
  KDF_UNAVAILABLE: { status: 503, summary: 'Too many password checks are queued, or one timed out; retry shortly.' },
  API_TOKEN_NOT_FOUND: { status: 404, summary: 'No API token with that id for this user.' },
  API_TOKEN_INVALID: { status: 400, summary: 'An API token name or scope is invalid, or the user has too many tokens.' },
} as const satisfies Record<string, CatalogueEntry>;

const bitcoin = {
  KEY_INVALID: { status: 400, summary: 'An extended public key does not parse.' },
  KEY_NETWORK_MISMATCH: { status: 400, summary: 'A key belongs to a different network.' },
  KEY_ORIGIN_INVALID: { status: 400, summary: 'A key origin [fingerprint/path] is malformed.' },
  DESCRIPTOR_INVALID: { status: 400, summary: 'An output descriptor does not parse or is unsupported.' },
  DESCRIPTOR_CHECKSUM: { status: 400, summary: 'A descriptor checksum does not match.' },
  DESCRIPTOR_POLICY: { status: 400, summary: 'A multisig policy is invalid (k > n, too many keys, duplicate keys).' },
  PSBT_CORRUPT: { status: 400, summary: 'A PSBT, UR or raw transaction given to the app does not parse; the message says what was recognised.' },
} as const satisfies Record<string, CatalogueEntry>;

const extensions = {
  EXT_MANIFEST_INVALID: { status: 500, summary: 'An extension manifest or class declaration is invalid.' },
  EXT_DUPLICATE_ID: { status: 409, summary: 'Two extensions declare the same id.' },
  EXT_INCOMPATIBLE: { status: 500, summary: 'An extension requires another Specter TS version.' },
  EXT_MISSING_DEPENDENCY: { status: 500, summary: 'An extension depends on one that is not loaded.' },
  EXT_DEPENDENCY_CYCLE: { status: 500, summary: 'Extensions depend on each other in a cycle.' },
  EXT_LOAD_FAILED: { status: 500, summary: 'An extension failed while loading.' },
  EXT_NOT_FOUND: { status: 404, summary: 'No such extension, or not active for this user.' },
  EXT_UNKNOWN_CALLBACK: { status: 500, summary: 'A callback id that nobody registered.' },
  EXT_BLUEPRINT_INVALID: { status: 500, summary: 'An extension blueprint map is invalid.' },
  EXT_STORAGE: { status: 500, summary: 'Extension data could not be read or written.' },
  EXT_NO_USER: { status: 500, summary: 'Storage was used outside a request without naming a user.' },
  EXT_CALLBACK_CONFLICT: { status: 409, summary: 'A callback id is defined twice, or its id or style is invalid.' },
  EXT_JOB_INVALID: {
    status: 500,
    summary: 'A scheduled job has an invalid schedule or a duplicate id, was added after shutdown, or does not exist.',
  },
  EXT_ENDPOINT_UNKNOWN: { status: 500, summary: 'url_for named an endpoint nobody registered, or a path parameter is missing.' },
  EXT_ENDPOINT_CONFLICT: { status: 409, summary: 'Two routes claim the same endpoint name or path.' },
  EXT_CAPABILITY_MISSING: { status: 403, summary: 'A plugin called an API that needs a capability its manifest does not declare.' },
  EXT_MIGRATION_FAILED: { status: 500, summary: "A plugin's data migration failed; the old data is kept and the plugin is not loaded." },
  EXT_ACCESS_DENIED: { status: 403, summary: "A plugin reached for another user's data or a path outside its own folder." },
  EXT_PACKAGE_NOT_FOUND: { status: 404, summary: 'The plugin to install (package, tarball or folder) does not exist.' },
  EXT_REGISTRY_UNREACHABLE: { status: 503, summary: 'The npm registry could not be reached to install or update a plugin.' },
  EXT_INSTALL_FAILED: { status: 500, summary: 'npm failed or timed out while installing, updating or removing a plugin; nothing was changed.' },
  EXT_NOT_AN_EXTENSION: { status: 400, summary: 'The package to install has no "specterExtension" manifest; nothing was installed.' },
  EXT_ALREADY_INSTALLED: { status: 409, summary: 'A plugin with that id or package name is already installed or built in.' },
  EXT_INTEGRITY: { status: 500, summary: 'An installed plugin file differs from what was recorded at install.' },
  EXT_SIGNATURE_INVALID: { status: 400, summary: 'A plugin signature does not verify, does not cover its files, or uses an untrusted key.' },
  EXT_SIGNING_KEY: { status: 400, summary: 'A signing key file is missing or is not an ed25519 private key.' },
  EXT_INSTALL_BUSY: { status: 409, summary: 'Another install, update or uninstall of plugins is running.' },
  EXT_SWITCHED_OFF: { status: 503, summary: 'The plugin is installed but switched off (by an admin, or after repeated errors).' },
  EXT_TEMPLATE_MISSING: { status: 500, summary: "A plugin's page asked for a template its templates folder does not have." },
} as const satisfies Record<string, CatalogueEntry>;

const wallets = {
  DEVICE_INVALID: { status: 400, summary: 'A device name, type or key is invalid.' },
  DEVICE_EXISTS: { status: 409, summary: 'A device with that name already exists.' },
  DEVICE_NOT_FOUND: { status: 404, summary: 'No such device.' },
  DEVICE_TYPE_EXISTS: { status: 409, summary: 'A device type with that id is already registered.' },
  DEVICE_KEY_EXISTS: { status: 409, summary: 'Another device of the user already holds that key.' },
  DEVICE_KEY_NOT_FOUND: { status: 404, summary: 'The device has no key fitting the requested wallet type and network.' },
  WALLET_INVALID: { status: 400, summary: 'A wallet definition or backup is invalid.' },
  WALLET_EXISTS: { status: 409, summary: 'A wallet with that name already exists.' },
  WALLET_DUPLICATE: { status: 409, summary: 'The user already has a wallet with the same descriptor (keys, policy, script).' },
  WALLET_NOT_FOUND: { status: 404, summary: 'No such wallet.' },
  ADDRESS_NOT_FOUND: { status: 404, summary: 'The address does not belong to the wallet.' },
  LIMIT_EXCEEDED: { status: 400, summary: 'A requested count is over the allowed limit.' },
  LABELS_INVALID: { status: 400, summary: 'A labels file (Specter, Electrum or BIP-329) does not parse; the message names the line or field.' },
  INPUT_TOO_LONG: { status: 400, summary: 'A form field is longer than its limit; the message states the limit.' },
} as const satisfies Record<string, CatalogueEntry>;

const nodes = {
  NODE_INVALID: { status: 400, summary: 'A node setting (name, host, port, protocol, datadir) is invalid.' },
  NODE_EXISTS: { status: 409, summary: 'A node with that name already exists.' },
  NODE_NOT_FOUND: { status: 404, summary: 'No such node.' },
  NODE_NONE: { status: 409, summary: 'No Bitcoin Core node is configured yet.' },
  NODE_CONF_INVALID: { status: 400, summary: 'bitcoin.conf or a .cookie file does not parse; the message names the file and line.' },
  NODE_UNREACHABLE: { status: 502, summary: 'Bitcoin Core refused the connection or cannot be reached.' },
  NODE_TIMEOUT: { status: 504, summary: 'Bitcoin Core did not answer in time.' },
  NODE_AUTH_FAILED: { status: 502, summary: 'Bitcoin Core refused the RPC user name or password (HTTP 401).' },
  NODE_WARMING_UP: { status: 503, summary: 'Bitcoin Core is starting (RPC error -28) and cannot answer yet.' },
  NODE_BUSY: { status: 503, summary: "Bitcoin Core's RPC work queue is full (HTTP 503)." },
  NODE_WALLETS_DISABLED: { status: 409, summary: 'Bitcoin Core runs without wallet support (-disablewallet or built without it).' },
  NODE_VERSION_TOO_OLD: { status: 409, summary: 'Bitcoin Core is older than the oldest version Specter TS supports (25.0).' },
  NODE_CHAIN_MISMATCH: { status: 409, summary: "A wallet belongs to another network than the node's chain." },
  UTXO_NOT_FOUND: { status: 404, summary: 'An output to freeze is not an unspent output of the wallet.' },
  RESCAN_RUNNING: { status: 409, summary: 'A rescan of the wallet is already running on the node.' },
  RPC_ERROR: { status: 502, summary: 'Bitcoin Core answered an RPC call with an error; the message carries its code and text.' },
  RPC_BAD_RESPONSE: { status: 502, summary: 'Bitcoin Core (or whatever listens on the port) sent an answer that is not JSON-RPC.' },
  RPC_WALLET_NOT_LOADED: { status: 409, summary: 'A wallet is not loaded on Bitcoin Core (RPC error -18) and could not be loaded.' },
} as const satisfies Record<string, CatalogueEntry>;

const psbts = {
  PSBT_INVALID_ADDRESS: { status: 400, summary: 'A recipient address is not a Bitcoin address.' },
  PSBT_WRONG_NETWORK: { status: 400, summary: "A recipient address belongs to another network than the wallet's." },
  PSBT_INSUFFICIENT_FUNDS: { status: 409, summary: 'The wallet (or the chosen coins) cannot pay the amounts and the fee.' },
  PSBT_TOO_MANY_INPUTS: { status: 409, summary: 'The payment needs more than 252 coins, which Bitcoin Core cannot fund in one transaction.' },
  PSBT_DUST: { status: 400, summary: 'An amount is below the dust limit: the network would not relay it.' },
  PSBT_FEE_RATE: { status: 400, summary: 'The fee rate is not above 0, or above 1,000 sat/vB without confirmation.' },
  PSBT_NOT_THIS_WALLET: { status: 409, summary: 'A signed PSBT or transaction is not the pending transaction it was sent for.' },
  PSBT_ALREADY_BROADCAST: { status: 409, summary: 'The transaction was already broadcast (or its coins are spent).' },
  PSBT_REJECTED: { status: 409, summary: "Bitcoin Core refused the transaction; the message carries Core's reason." },
  PSBT_NOT_FOUND: { status: 404, summary: 'No pending PSBT with that transaction id in the wallet.' },
} as const satisfies Record<string, CatalogueEntry>;

const net = {
  NET_HOST_NOT_ALLOWED: { status: 403, summary: "An outgoing request named a host outside the caller's allow-list." },
  NET_TOR_REQUIRED: { status: 409, summary: 'An outgoing request must go through Tor (.onion, or only_tor) but no Tor proxy is configured.' },
  NET_PROXY_UNAVAILABLE: { status: 502, summary: 'The SOCKS proxy (Tor) refused or could not be reached; no direct connection was tried.' },
  NET_REQUEST_FAILED: { status: 502, summary: 'An outgoing HTTP request failed: unreachable, refused, or an answer too large or not as expected.' },
  NET_TIMEOUT: { status: 504, summary: 'An outgoing HTTP request got no complete answer in time.' },
} as const satisfies Record<string, CatalogueEntry>;

const tor = {
  TOR_NOT_INSTALLED: { status: 409, summary: 'The tor program for the built-in Tor was not found.' },
  TOR_START_FAILED: { status: 502, summary: 'The built-in tor process did not start or did not open its ports in time.' },
  TOR_CONTROL_UNREACHABLE: { status: 502, summary: "Tor's control port refused the connection or did not answer." },
  TOR_CONTROL_AUTH_FAILED: { status: 502, summary: "Tor's control port refused the password or cookie." },
  TOR_CONTROL_ERROR: { status: 502, summary: 'Tor refused a control-port command (its reply is in the message).' },
  TOR_HIDDEN_SERVICE_REFUSED: { status: 409, summary: 'The onion service cannot be published in the current state (auth none, or Tor off).' },
} as const satisfies Record<string, CatalogueEntry>;

const price = {
  PRICE_PROVIDER_UNKNOWN: { status: 409, summary: 'The chosen price provider is offered by no enabled plugin, or not in the chosen currency.' },
  PRICE_PROVIDER_TIMEOUT: { status: 504, summary: 'A price provider did not answer within the time limit; the last good price stays.' },
  PRICE_ANSWER_INVALID: { status: 502, summary: 'A price provider answered something that is not a price above zero; the last good price stays.' },
} as const satisfies Record<string, CatalogueEntry>;

export const catalogue = {
  ...general,
  ...persistence,
  ...config,
  ...auth,
  ...bitcoin,
  ...extensions,
  ...wallets,
  ...nodes,
  ...psbts,
  ...net,
  ...tor,
  ...price,
} as const;

export type ErrorKey = keyof typeof catalogue;
