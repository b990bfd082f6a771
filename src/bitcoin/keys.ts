/**
 * Extended public keys: xpub/tpub and their SLIP-132 aliases.
 *
 * SLIP-132 keys (ypub, zpub, Ypub, Zpub and the testnet upub, vpub, Upub, Vpub) are ordinary BIP-32
 * keys whose 4 version bytes also say which script type the wallet used. Descriptors carry the
 * script type themselves, so we store the canonical xpub/tpub and keep the implied script type
 * alongside, which is what device exports (Coldcard, Electrum, Keystone…) need.
 */
import { createHash } from 'node:crypto';
import { SpecterError } from '../errors/index.js';
import { base58CheckDecode, base58CheckEncode } from './base58.js';
import { bip32, type BIP32Interface } from './bip32.js';
import { NETWORKS, familyLabel, type KeyNetwork, type NetworkName } from './networks.js';
import { secpBackend } from './secp.js';

export type SingleSigScriptType = 'pkh' | 'sh-wpkh' | 'wpkh' | 'tr';
/** `sh` is legacy P2SH multisig, `sh-wsh` nested segwit, `wsh` native segwit. */
export type MultisigScriptType = 'sh' | 'sh-wsh' | 'wsh';
export type ScriptType = SingleSigScriptType | MultisigScriptType;

export const SINGLE_SIG_SCRIPT_TYPES: readonly SingleSigScriptType[] = ['pkh', 'sh-wpkh', 'wpkh', 'tr'];
export const MULTISIG_SCRIPT_TYPES: readonly MultisigScriptType[] = ['sh', 'sh-wsh', 'wsh'];

/** What people call each script type; messages use these, not the descriptor ids ("sh-wpkh"). */
export const SCRIPT_TYPE_NAMES: Readonly<Record<ScriptType, string>> = {
  wpkh: 'Segwit (P2WPKH)',
  'sh-wpkh': 'Nested Segwit (P2SH-P2WPKH)',
  tr: 'Taproot (P2TR)',
  pkh: 'Legacy (P2PKH)',
  wsh: 'Segwit (P2WSH)',
  'sh-wsh': 'Nested Segwit (P2SH-P2WSH)',
  sh: 'Legacy (P2SH)',
};

/** "Segwit (P2WPKH) single-key" / "Segwit (P2WSH) multisig", for "… wallets" in messages. */
export function scriptTypeWords(scriptType: ScriptType): string {
  const kind = (MULTISIG_SCRIPT_TYPES as readonly string[]).includes(scriptType) ? 'multisig' : 'single-key';
  return `${SCRIPT_TYPE_NAMES[scriptType] ?? scriptType} ${kind}`;
}

export type KeyPrefix = 'xpub' | 'ypub' | 'zpub' | 'Ypub' | 'Zpub' | 'tpub' | 'upub' | 'vpub' | 'Upub' | 'Vpub';

interface VersionInfo {
  prefix: KeyPrefix;
  network: KeyNetwork;
  scriptType: ScriptType | null;
}

/** SLIP-132 public versions. xpub/tpub imply no script type (BIP-44/86 and descriptors use them). */
const PUBLIC_VERSIONS = new Map<number, VersionInfo>([
  [0x0488b21e, { prefix: 'xpub', network: 'main', scriptType: null }],
  [0x049d7cb2, { prefix: 'ypub', network: 'main', scriptType: 'sh-wpkh' }],
  [0x04b24746, { prefix: 'zpub', network: 'main', scriptType: 'wpkh' }],
  [0x0295b43f, { prefix: 'Ypub', network: 'main', scriptType: 'sh-wsh' }],
  [0x02aa7ed3, { prefix: 'Zpub', network: 'main', scriptType: 'wsh' }],
  [0x043587cf, { prefix: 'tpub', network: 'test', scriptType: null }],
  [0x044a5262, { prefix: 'upub', network: 'test', scriptType: 'sh-wpkh' }],
  [0x045f1cf6, { prefix: 'vpub', network: 'test', scriptType: 'wpkh' }],
  [0x024289ef, { prefix: 'Upub', network: 'test', scriptType: 'sh-wsh' }],
  [0x02575483, { prefix: 'Vpub', network: 'test', scriptType: 'wsh' }],
]);

/** Private versions: recognised only to refuse them with a clear message, never echoed back. */
const PRIVATE_VERSIONS = new Set([
  0x0488ade4, 0x049d7878, 0x04b2430c, 0x0295b005, 0x02aa7a99, 0x04358394, 0x044a4e28, 0x045f18bc, 0x024285b5, 0x02575048,
]);

const VERSION_BY_PREFIX = new Map([...PUBLIC_VERSIONS].map(([v, info]) => [info.prefix, v]));

export interface ExtendedKey {
  /** Canonical xpub (mainnet) or tpub (test networks). */
  xpub: string;
  /** The text as given (e.g. the zpub). */
  original: string;
  prefix: KeyPrefix;
  network: KeyNetwork;
  /** Script type implied by a SLIP-132 prefix; null for xpub/tpub. */
  scriptType: ScriptType | null;
  depth: number;
  childNumber: number;
  /** Fingerprint of the parent key (8 hex), from the serialisation. */
  parentFingerprint: string;
  /** Fingerprint of this key (8 hex). Equals the master fingerprint only at depth 0. */
  fingerprint: string;
  /** The compressed public key and the chain code (33 and 32 bytes). */
  publicKey: Uint8Array;
  chainCode: Uint8Array;
  /** bip32's node of the key, made on first use (parsing does not need it). */
  readonly node: BIP32Interface;
}

export interface ParseKeyOptions {
  /** When given, a key from the other network family is a KEY_NETWORK_MISMATCH. */
  network?: NetworkName | KeyNetwork;
  /** Where the key came from, for messages ("line 3", "key 2 of the descriptor"). */
  where?: string;
}

const EXPECTED = 'Expected an extended public key: xpub/tpub, or SLIP-132 ypub, zpub, Ypub, Zpub (mainnet) / upub, vpub, Upub, Vpub (test networks).';

function preview(text: string): string {
  return text.length > 16 ? `${text.slice(0, 8)}…${text.slice(-6)}` : text;
}

function invalid(message: string, where: string | undefined, hint = EXPECTED): SpecterError {
  return new SpecterError('KEY_INVALID', where ? `${where}: ${message}` : message, { hint, details: where ? { where } : {} });
}

/** Map "main"/"test"/"signet"/"regtest" to the key family. */
function familyOf(network: NetworkName | KeyNetwork): KeyNetwork {
  return network === 'main' || network === 'test' ? network : NETWORKS[network].family;
}

export function assertKeyNetwork(key: { network: KeyNetwork; xpub: string }, network: NetworkName | KeyNetwork, where?: string): void {
  const want = familyOf(network);
  if (key.network === want) return;
  const msg = `The key ${preview(key.xpub)} is a ${familyLabel(key.network)} key, but ${familyLabel(want)} is required.`;
  throw new SpecterError('KEY_NETWORK_MISMATCH', where ? `${where}: ${msg}` : msg, {
    hint:
      want === 'main'
        ? 'Export the mainnet key (xpub/ypub/zpub…) from the device, or use a wallet on a test network.'
        : 'Export the testnet key (tpub/upub/vpub…) from the device, or use a mainnet wallet.',
    details: { keyNetwork: key.network, expected: want, ...(where ? { where } : {}) },
  });
}

/** Parse and validate an extended public key in any supported encoding. */
export function parseExtendedKey(text: string, options: ParseKeyOptions = {}): ExtendedKey {
  const { where } = options;
  const original = text.trim();
  if (!original) throw invalid('the key is empty.', where);
  const payload = base58CheckDecode(original);
  if (!payload) throw invalid(`"${preview(original)}" is not valid base58check (typo or truncated copy?).`, where);
  if (payload.length !== 78) {
    throw invalid(`"${preview(original)}" decodes to ${payload.length} bytes, an extended key has 78.`, where);
  }
  const version = Buffer.from(payload).readUInt32BE(0);
  if (PRIVATE_VERSIONS.has(version)) {
    // Never echo a private key back, not even partially.
    throw invalid('this is an extended PRIVATE key.', where, 'Paste the extended public key (xpub…) instead; Specter TS never stores private keys.');
  }
  const info = PUBLIC_VERSIONS.get(version);
  if (!info) {
    throw invalid(`"${preview(original)}" has unknown version bytes 0x${version.toString(16).padStart(8, '0')}.`, where);
  }
  // An xpub/tpub is already canonical (no second Base58Check encoding: wallets parse keys at every load).
  const canonicalVersion = NETWORKS[info.network].bip32.public;
  let xpub = original;
  if (version !== canonicalVersion) {
    const canonical = new Uint8Array(payload);
    Buffer.from(canonical.buffer, canonical.byteOffset, 4).writeUInt32BE(canonicalVersion, 0);
    xpub = base58CheckEncode(canonical);
  }
  // The fields come straight from the 78 bytes (BIP-32 serialisation); bip32's own fromBase58
  // decodes the Base58Check again with pure-JS SHA-256 and was most of the cost of loading 100
  // wallets. Its checks are kept: a valid point, and depth 0 only as a master key.
  const bytes = Buffer.from(payload);
  const depth = bytes[4]!;
  const parentFingerprint = bytes.readUInt32BE(5);
  const childNumber = bytes.readUInt32BE(9);
  const chainCode = bytes.subarray(13, 45);
  const publicKey = bytes.subarray(45, 78);
  if (depth === 0 && (parentFingerprint !== 0 || childNumber !== 0)) {
    throw invalid(`"${preview(original)}" is not a valid extended public key (a depth-0 key with a parent).`, where);
  }
  if ((publicKey[0] !== 0x02 && publicKey[0] !== 0x03) || !secpBackend.ecc.isPoint(publicKey)) {
    throw invalid(`"${preview(original)}" is not a valid extended public key (its key is not a point on the curve).`, where);
  }
  const fingerprint = createHash('ripemd160').update(createHash('sha256').update(publicKey).digest()).digest().subarray(0, 4);
  let node: BIP32Interface | undefined;
  const bip32Network = NETWORKS[info.network === 'main' ? 'main' : 'test'];
  const key: ExtendedKey = {
    xpub,
    original,
    prefix: info.prefix,
    network: info.network,
    scriptType: info.scriptType,
    depth,
    childNumber,
    parentFingerprint: parentFingerprint.toString(16).padStart(8, '0'),
    fingerprint: fingerprint.toString('hex'),
    publicKey: Uint8Array.from(publicKey),
    chainCode: Uint8Array.from(chainCode),
    get node() {
      node ??= bip32.fromBase58(xpub, bip32Network);
      return node;
    },
  };
  if (options.network) assertKeyNetwork(key, options.network, where);
  return key;
}

/** True when the text is shaped like an extended key (for telling keys from other tokens). */
export function looksLikeExtendedKey(text: string): boolean {
  return /^[xyzYZtuvUV](pub|prv)[1-9A-HJ-NP-Za-km-z]{100,112}$/.test(text);
}

/** Re-encode a key with another SLIP-132 prefix of the same network family (e.g. xpub → zpub). */
export function convertExtendedKey(text: string, to: KeyPrefix): string {
  const key = parseExtendedKey(text);
  const version = VERSION_BY_PREFIX.get(to)!;
  const target = PUBLIC_VERSIONS.get(version)!;
  if (target.network !== key.network) {
    throw new SpecterError(
      'KEY_NETWORK_MISMATCH',
      `Cannot convert a ${familyLabel(key.network)} key to ${to}, a ${familyLabel(target.network)} prefix.`,
      {
        hint: key.network === 'main' ? 'Use xpub, ypub, zpub, Ypub or Zpub.' : 'Use tpub, upub, vpub, Upub or Vpub.',
      },
    );
  }
  const payload = base58CheckDecode(key.xpub)!;
  Buffer.from(payload.buffer, payload.byteOffset, 4).writeUInt32BE(version, 0);
  return base58CheckEncode(payload);
}

/** The SLIP-132 prefix a wallet of this script type conventionally shows (xpub/tpub when none). */
export function slip132PrefixFor(scriptType: ScriptType | null, network: KeyNetwork): KeyPrefix {
  for (const info of PUBLIC_VERSIONS.values()) {
    if (info.network === network && info.scriptType === scriptType) return info.prefix;
  }
  return network === 'main' ? 'xpub' : 'tpub';
}
