/**
 * Bitcoin networks as Specter names them (`main`, `test`, `signet`, `regtest`).
 *
 * Extended keys only tell two families apart: `xpub` (main) and `tpub` (test, signet and regtest all
 * share testnet's version bytes). Addresses tell three apart by prefix (`bc`, `tb`, `bcrt`). So a key
 * is checked against a network's *family*, an address against the network itself.
 *
 * The parameter objects are plain data in bitcoinjs-lib's `Network` shape (signet is testnet's
 * parameters, regtest has the `bcrt` bech32 prefix), so they can be posted to worker threads.
 */
import { SpecterError } from '../errors/index.js';

export type NetworkName = 'main' | 'test' | 'signet' | 'regtest';
/** What an extended key can tell: mainnet or one of the test networks. */
export type KeyNetwork = 'main' | 'test';

export interface NetworkParams {
  readonly name: NetworkName;
  readonly family: KeyNetwork;
  readonly messagePrefix: string;
  readonly bech32: string;
  readonly bip32: { readonly public: number; readonly private: number };
  readonly pubKeyHash: number;
  readonly scriptHash: number;
  readonly wif: number;
}

const MESSAGE_PREFIX = '\x18Bitcoin Signed Message:\n';

const MAIN: NetworkParams = {
  name: 'main',
  family: 'main',
  messagePrefix: MESSAGE_PREFIX,
  bech32: 'bc',
  bip32: { public: 0x0488b21e, private: 0x0488ade4 },
  pubKeyHash: 0x00,
  scriptHash: 0x05,
  wif: 0x80,
};

const TEST: NetworkParams = {
  name: 'test',
  family: 'test',
  messagePrefix: MESSAGE_PREFIX,
  bech32: 'tb',
  bip32: { public: 0x043587cf, private: 0x04358394 },
  pubKeyHash: 0x6f,
  scriptHash: 0xc4,
  wif: 0xef,
};

export const NETWORKS: Readonly<Record<NetworkName, NetworkParams>> = Object.freeze({
  main: MAIN,
  test: TEST,
  signet: { ...TEST, name: 'signet' },
  regtest: { ...TEST, name: 'regtest', bech32: 'bcrt' },
});

export const NETWORK_NAMES: readonly NetworkName[] = ['main', 'test', 'signet', 'regtest'];

/** Aliases other tools use (Bitcoin Core's `chain`, bitcoinjs names, Specter's "liquid"-free list). */
const ALIASES: Record<string, NetworkName> = {
  main: 'main',
  mainnet: 'main',
  bitcoin: 'main',
  test: 'test',
  testnet: 'test',
  testnet3: 'test',
  testnet4: 'test',
  signet: 'signet',
  regtest: 'regtest',
};

export function isNetworkName(value: unknown): value is NetworkName {
  return typeof value === 'string' && (NETWORK_NAMES as readonly string[]).includes(value);
}

/** Resolve a network name or alias; unknown names are a VALIDATION error that lists the valid ones. */
export function getNetwork(name: NetworkName | string): NetworkParams {
  const resolved = ALIASES[String(name).toLowerCase()];
  if (!resolved) {
    throw new SpecterError('VALIDATION', `Unknown network "${name}".`, {
      hint: `Use one of: ${NETWORK_NAMES.join(', ')}.`,
      details: { field: 'network', value: name },
    });
  }
  return NETWORKS[resolved];
}

export function networkFamily(name: NetworkName): KeyNetwork {
  return NETWORKS[name].family;
}

/** Human label for messages ("mainnet", "testnet/signet/regtest"). */
export function familyLabel(family: KeyNetwork): string {
  return family === 'main' ? 'mainnet' : 'testnet/signet/regtest';
}
