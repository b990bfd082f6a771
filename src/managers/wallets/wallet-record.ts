/**
 * Wallet files.
 *
 * `<wallets>/<alias>.json` — the wallet definition (`<wallets>` is `<data>/wallets/` for admins,
 * `<data>/wallets_<user id>/` for other users):
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
 *     "change_keypool": 20,             // change addresses derived so far
 *     "descriptor_checked": "9f2c…"     // descriptorStamp(): the descriptor passed every check
 *   }
 *
 * `<wallets>/<alias>_addresses.json` — derived addresses and their state:
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
 * `<wallets>/<alias>_<service_id>.json` — extension annotations, owned by the extension
 * storage layer; never read or written here.
 */
import { hash } from 'node:crypto';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import { isNetworkName, type NetworkName } from '../../bitcoin/index.js';
import { isValidAlias } from '../devices/alias.js';
import { describeIssue } from '../devices/device.js';

const index = (what = 'must be a non-negative integer') =>
  z.number({ error: what }).int({ error: what }).nonnegative({ error: what }).refine(Number.isSafeInteger, { error: what });

/** `<alias>.json`: the wallet definition. Unknown fields are dropped. */
export const walletRecordSchema = z.object({
  alias: z.string({ error: 'is missing' }).refine(isValidAlias, { error: 'must be a wallet alias (lowercase letters, digits, "-")' }),
  name: z.string({ error: 'is missing' }).min(1, { error: 'is missing' }),
  descriptor: z.string({ error: 'is missing' }).min(1, { error: 'is missing' }),
  network: z.custom<NetworkName>(isNetworkName, { error: 'must be main, test, signet or regtest' }),
  blockheight: index(),
  devices: z.array(z.string(), { error: 'must be a list of device aliases' }),
  address_index: index(),
  change_index: index(),
  keypool: index(),
  change_keypool: index(),
  /** See {@link descriptorStamp}; absent in files written before it existed. */
  descriptor_checked: z.string().optional().catch(undefined),
});

export type WalletRecord = z.output<typeof walletRecordSchema>;

/**
 * What a wallet record stores in `descriptor_checked` once its descriptor (on its network) has
 * passed every check, the bitcoinerlab cross-check included: SHA-256 of network and descriptor
 * text. A load whose stamp matches — and whose stored address #0 of each branch equals today's
 * derivation (the wallet checks that before its first derivation) — parses the descriptor without the cross-check: the text is
 * the one that was checked, and the derivation agrees with the one that was checked then. A changed
 * descriptor, network or parser gets the full check again. It guards against edits and damage, not
 * against someone who can write the data folder (they could change anything anyway).
 */
export function descriptorStamp(network: string, descriptor: string): string {
  return hash('sha256', `${network}\n${descriptor}`, 'hex');
}

/** One derived address. A missing label/service reads as null; `label_auto` is kept only with a label. */
const addressEntrySchema = z.object({
  index: index(),
  address: z.string({ error: 'is missing' }).min(1, { error: 'is missing' }),
  label: z
    .string()
    .nullish()
    .catch(null)
    .transform((v) => v ?? null),
  used: z
    .boolean()
    .optional()
    .catch(false)
    .transform((v) => v === true),
  service_id: z
    .string()
    .nullish()
    .catch(null)
    .transform((v) => (v ? v : null)),
  label_auto: z.literal(true).optional().catch(undefined),
});

const branchSchema = (branch: string) =>
  z.array(addressEntrySchema, { error: 'must be a list' }).superRefine((list, ctx) => {
    list.forEach((e, i) => {
      if (e.index !== i) ctx.addIssue({ code: 'custom', path: [i, 'index'], message: `must be ${i} (${branch} lists are ordered without gaps)` });
    });
  });

/** `<alias>_addresses.json`: the receive and change lists. */
export const addressesFileSchema = z.object({ receive: branchSchema('receive'), change: branchSchema('change') }).transform((f) => ({
  receive: f.receive.map(normalEntry),
  change: f.change.map(normalEntry),
}));

/** One address entry as the journal stores it (address-journal.ts), normalised like the file's. */
export const journalEntrySchema = addressEntrySchema.transform(normalEntry);

function normalEntry(e: z.output<typeof addressEntrySchema>) {
  const entry: { index: number; address: string; label: string | null; used: boolean; service_id: string | null; label_auto?: true } = {
    index: e.index,
    address: e.address,
    label: e.label,
    used: e.used,
    service_id: e.service_id,
  };
  if (e.label_auto === true && entry.label !== null) entry.label_auto = true;
  return entry;
}

export type AddressesFile = z.output<typeof addressesFileSchema>;
export type AddressEntry = AddressesFile['receive'][number];

export const ADDRESSES_SUFFIX = '_addresses';

function corrupt(path: string, why: string): SpecterError {
  return new SpecterError('DATA_FILE_CORRUPT', `Wallet file ${path} is invalid: ${why}.`, {
    hint: `Restore ${path}.bkp, or fix the field by hand (format: see src/managers/wallets/wallet-record.ts).`,
    details: { path },
  });
}

export function parseWalletRecord(raw: unknown, path: string, expectedAlias: string): WalletRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(path, 'not a JSON object');
  const parsed = walletRecordSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(path, describeIssue(parsed.error));
  if (parsed.data.alias !== expectedAlias) throw corrupt(path, `"alias" must be "${expectedAlias}"`);
  return parsed.data;
}

/**
 * True when a branch is already exactly what addressesFileSchema would give (what this app
 * writes): then the schema is not run, as it costs ~20 µs an entry while its code is cold, which is
 * most of a start (4,000 entries for 100 new wallets). Anything else — a missing or extra field, a
 * "" service, a gap — goes through the schema, which stays the one definition of the format
 * (wallet-record.test.ts checks that both give the same).
 */
function isNormalBranch(list: unknown): list is AddressEntry[] {
  if (!Array.isArray(list)) return false;
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || e.index !== i || typeof e.address !== 'string' || e.address === '') return false;
    if ((e.label !== null && typeof e.label !== 'string') || typeof e.used !== 'boolean') return false;
    if (e.service_id !== null && (typeof e.service_id !== 'string' || e.service_id === '')) return false;
    const fields = Object.keys(e).length;
    if (e.label_auto === undefined ? fields !== 5 : e.label_auto !== true || e.label === null || fields !== 6) return false;
  }
  return true;
}

export function parseAddressesFile(raw: unknown, path: string): AddressesFile {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(path, 'not a JSON object');
  const { receive, change } = raw as Record<string, unknown>;
  if (isNormalBranch(receive) && isNormalBranch(change)) return { receive, change };
  const parsed = addressesFileSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(path, describeIssue(parsed.error));
  return parsed.data;
}
