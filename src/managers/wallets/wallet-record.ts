/**
 * Wallet files.
 *
 * `<data>/wallets/<alias>.json` — the wallet definition:
 *
 *   {
 *     "alias": "cold_storage",          // file-name-safe id, unique, never changes
 *     "name": "Cold storage",           // display name, unique (case-insensitive)
 *     "descriptor": "wsh(sortedmulti(2,[73c5da0a/48h/0h/0h/2h]xpub…/<0;1>/*,…))#checksum",
 *                                       // canonical, multipath <0;1>: receive branch 0, change 1
 *     "network": "main",                // main | test | signet | regtest
 *     "blockheight": 0,                 // where a rescan starts (Specter's field)
 *     "devices": ["coldcard", "trezor"],// device aliases, in key order where known
 *     "address_index": 0,               // current receive index (Specter's address_index)
 *     "change_index": 0,                // current change index
 *     "keypool": 20,                    // receive addresses derived so far
 *     "change_keypool": 20              // change addresses derived so far
 *   }
 *
 * `<data>/wallets/<alias>_addresses.json` — derived addresses and their state:
 *
 *   { "receive": [ { "index": 0, "address": "bc1q…", "label": null, "used": false, "service_id": null }, … ],
 *     "change":  [ … ] }
 *
 *   `label` null means the default ("Address #i" / "Change #i"), which is computed, not stored, so
 *   releasing an address from a service can restore it. `"label_auto": true` (present only then)
 *   marks a label set by a service association, which deassociation removes again. Lists are
 *   ordered by index with no gaps; keypool/change_keypool mirror their lengths (the address file
 *   wins if they disagree after an interrupted save).
 *
 * `<data>/wallets/<alias>_<service_id>.json` — extension annotations, owned by the extension
 * storage layer; never read or written here.
 */
import { SpecterError } from '../../errors/index.js';
import { isNetworkName, type NetworkName } from '../../bitcoin/index.js';
import { isValidAlias } from '../devices/alias.js';

export interface WalletRecord {
  alias: string;
  name: string;
  descriptor: string;
  network: NetworkName;
  blockheight: number;
  devices: string[];
  address_index: number;
  change_index: number;
  keypool: number;
  change_keypool: number;
}

export interface AddressEntry {
  index: number;
  address: string;
  label: string | null;
  used: boolean;
  service_id: string | null;
  label_auto?: true;
}

export interface AddressesFile {
  receive: AddressEntry[];
  change: AddressEntry[];
}

export const ADDRESSES_SUFFIX = '_addresses';

function corrupt(path: string, why: string): SpecterError {
  return new SpecterError('DATA_FILE_CORRUPT', `Wallet file ${path} is invalid: ${why}.`, {
    hint: `Restore ${path}.bkp, or fix the field by hand (format: see src/managers/wallets/wallet-record.ts).`,
    details: { path },
  });
}

const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** True when the JSON looks like a wallet definition (the folder also holds address and annotation files). */
export function looksLikeWalletRecord(raw: unknown): boolean {
  return !!raw && typeof raw === 'object' && typeof (raw as Record<string, unknown>).descriptor === 'string' && typeof (raw as Record<string, unknown>).alias === 'string';
}

export function parseWalletRecord(raw: unknown, path: string, expectedAlias: string): WalletRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(path, 'not a JSON object');
  const r = raw as Record<string, unknown>;
  if (!isValidAlias(r.alias) || r.alias !== expectedAlias) throw corrupt(path, `"alias" must be "${expectedAlias}"`);
  if (typeof r.name !== 'string' || !r.name) throw corrupt(path, '"name" is missing');
  if (typeof r.descriptor !== 'string' || !r.descriptor) throw corrupt(path, '"descriptor" is missing');
  if (!isNetworkName(r.network)) throw corrupt(path, '"network" must be main, test, signet or regtest');
  if (!Array.isArray(r.devices) || !r.devices.every((d) => typeof d === 'string')) throw corrupt(path, '"devices" must be a list of device aliases');
  for (const f of ['blockheight', 'address_index', 'change_index', 'keypool', 'change_keypool'] as const) {
    if (!isIndex(r[f])) throw corrupt(path, `"${f}" must be a non-negative integer`);
  }
  return {
    alias: r.alias,
    name: r.name,
    descriptor: r.descriptor,
    network: r.network,
    blockheight: r.blockheight as number,
    devices: [...(r.devices as string[])],
    address_index: r.address_index as number,
    change_index: r.change_index as number,
    keypool: r.keypool as number,
    change_keypool: r.change_keypool as number,
  };
}

function parseEntries(list: unknown, path: string, branch: string): AddressEntry[] {
  if (!Array.isArray(list)) throw corrupt(path, `"${branch}" must be a list`);
  return list.map((e: unknown, i: number): AddressEntry => {
    const x = (e ?? {}) as Record<string, unknown>;
    if (x.index !== i) throw corrupt(path, `${branch}[${i}].index must be ${i} (lists are ordered without gaps)`);
    if (typeof x.address !== 'string' || !x.address) throw corrupt(path, `${branch}[${i}].address is missing`);
    const entry: AddressEntry = {
      index: i,
      address: x.address,
      label: typeof x.label === 'string' ? x.label : null,
      used: x.used === true,
      service_id: typeof x.service_id === 'string' && x.service_id ? x.service_id : null,
    };
    if (x.label_auto === true && entry.label !== null) entry.label_auto = true;
    return entry;
  });
}

export function parseAddressesFile(raw: unknown, path: string): AddressesFile {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(path, 'not a JSON object');
  const r = raw as Record<string, unknown>;
  return { receive: parseEntries(r.receive, path, 'receive'), change: parseEntries(r.change, path, 'change') };
}
