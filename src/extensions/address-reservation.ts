/**
 * Address-level integration (the seed's "Address-Level Integration", specter-behaviour.md §6):
 * an extension reserves wallet addresses for future use by associating them with its id; the
 * Receive flow skips reserved addresses, and reservations are interleaved with free addresses so
 * the wallet shows no gaps (e.g. #4, #6, #8 reserved while #3, #5, #7 stay free).
 *
 * The extension context's `addresses` (context/wallet-facets.ts) delegates here, scoped to one
 * extension and one user's wallets; this module only types what it uses ({@link WalletsService}). Annotations go through {@link ServiceAnnotationsStorage}, in the wallets folder.
 *
 * Every operation holds the wallet's own lock (the one each wallet operation takes), so a
 * reservation is atomic with respect to "Get new address": the Receive flow can never hand out an
 * address while it is being reserved.
 */
import { SpecterError } from '../errors/index.js';
import { withFileLock, type JsonFileStore } from '../persistence/index.js';
import { ServiceAnnotationsStorage, type Annotations } from './storage/annotations.js';

/** One address of a wallet, as the wallet reports it. */
export interface WalletAddress {
  address: string;
  index: number;
  /** True on the change branch. */
  change: boolean;
  /** The label to display (custom, or "Address #i"). */
  label: string;
  used: boolean;
  /** The extension the address is associated with (reserved for), or null. */
  serviceId: string | null;
  reserved: boolean;
}

/** What reservation needs of a wallet (the app's Wallet class satisfies it). */
export interface ServiceWallet {
  readonly alias: string;
  readonly name: string;
  /** Current receive index. */
  readonly addressIndex: number;
  /** The wallet definition file; its lock serialises every operation on the wallet. */
  readonly files: { readonly record: string };
  getAddress(index: number, change?: boolean): Promise<string>;
  getAddressInfo(address: string): WalletAddress;
  associateAddress(address: string, serviceId: string, label?: string | null): Promise<WalletAddress>;
  deassociateAddress(address: string): Promise<WalletAddress>;
  getAssociatedAddresses(serviceId: string, unusedOnly?: boolean): WalletAddress[];
}

/** What reservation needs of the host's wallets service (`host.services.wallets`). */
export interface WalletsService {
  /** Where wallets and their annotation files live. */
  readonly walletsFolder: string;
  /** The wallet, or a WALLET_NOT_FOUND error. */
  get(alias: string): Promise<ServiceWallet>;
  list(): Promise<ServiceWallet[]>;
}

/** Who reserves, in which user's wallets: the extension's id, its default label, that user's wallets. */
export interface ReservationScope {
  readonly id: string;
  /** The default label, "Reserved for <name>" (the seed's `default_address_label()`). */
  readonly label: string;
  readonly wallets: WalletsService;
  readonly store: JsonFileStore;
}

export interface ReserveAddressesOptions {
  /** Label of each newly reserved address; default the extension's `defaultAddressLabel()`. */
  label?: string;
  /** How many unused reserved addresses the extension wants to have; default 10, at most 1,000. */
  numAddresses?: number;
  /** Written with ServiceAnnotationsStorage for each newly reserved address. */
  annotations?: Annotations;
}

/** Most addresses one reserveAddresses() call keeps reserved. */
export const MAX_RESERVED_ADDRESSES = 1_000;

/** The annotations one extension keeps for one wallet (`<wallets>/<alias>_<extId>.json`). */
export async function openAnnotations(
  wallets: Pick<WalletsService, 'walletsFolder'>,
  store: JsonFileStore,
  walletAlias: string,
  extId: string,
): Promise<ServiceAnnotationsStorage> {
  return ServiceAnnotationsStorage.open({ walletsFolder: wallets.walletsFolder, walletAlias, serviceId: extId, store });
}

/** Runs `fn` holding the wallet's lock (re-entrant: the wallet's own calls inside run at once). */
function locked<T>(wallet: ServiceWallet, fn: () => Promise<T>): Promise<T> {
  return withFileLock(wallet.files.record, fn);
}

function checkNumAddresses(value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new SpecterError('VALIDATION', `numAddresses must be a whole number ≥ 0, got ${String(value)}.`, { details: { field: 'numAddresses' } });
  }
  if ((value as number) > MAX_RESERVED_ADDRESSES) {
    throw new SpecterError(
      'LIMIT_EXCEEDED',
      `An extension can keep at most ${MAX_RESERVED_ADDRESSES} addresses reserved per call; ${String(value)} were requested.`,
      {
        hint: `Ask for ${MAX_RESERVED_ADDRESSES} or fewer.`,
        details: { numAddresses: value, limit: MAX_RESERVED_ADDRESSES },
      },
    );
  }
  return value as number;
}

/** Refuse to take over an address another extension reserved (Specter silently overwrote it). */
function assertFree(info: WalletAddress, extId: string, walletName: string): void {
  if (info.serviceId && info.serviceId !== extId) {
    throw new SpecterError(
      'VALIDATION',
      `Address ${info.address} of wallet "${walletName}" is already reserved for the extension "${info.serviceId}".`,
      {
        hint: 'Release it from that extension first (address page → Release), or reserve another address.',
        details: { address: info.address, serviceId: info.serviceId },
      },
    );
  }
}

/**
 * The seed's `reserve_address`: associates one address of the wallet with the extension and
 * labels it (`label`, default "Reserved for <name>"). Used addresses may be associated too (the
 * seed's "addr X received a smash buy from Service Foo"). An address reserved for another
 * extension is refused.
 */
export async function reserveAddress(ext: ReservationScope, walletAlias: string, address: string, label?: string): Promise<WalletAddress> {
  const wallet = await ext.wallets.get(walletAlias);
  return locked(wallet, async () => {
    assertFree(wallet.getAddressInfo(address), ext.id, wallet.name);
    return wallet.associateAddress(address, ext.id, label ?? ext.label);
  });
}

/**
 * The seed's `reserve_addresses`: makes sure the extension has `numAddresses` unused addresses
 * reserved in the wallet, taking every other receive index — starting after the current receive
 * index (`addressIndex + 1`), or two after the last address it reserved if that is later — and
 * skipping used and reserved ones. Example (the seed's test): #0 used, receive index 1,
 * `numAddresses: 3` → #2, #4, #6. Annotations, when given, are written for each newly reserved address.
 *
 * Returns **all** the extension's unused reserved addresses of the wallet (receive branch by
 * index, then change), old and new. Specter Desktop returns `[]` when enough were reserved
 * already; here the caller always gets the addresses it may hand out.
 */
export async function reserveAddresses(ext: ReservationScope, walletAlias: string, options: ReserveAddressesOptions = {}): Promise<string[]> {
  const num = checkNumAddresses(options.numAddresses ?? 10);
  const label = options.label ?? ext.label;
  const wallet = await ext.wallets.get(walletAlias);
  const annotations = options.annotations === undefined ? undefined : await openAnnotations(ext.wallets, ext.store, walletAlias, ext.id);
  return locked(wallet, async () => {
    const reserved = wallet.getAssociatedAddresses(ext.id, true);
    const lastReceive = reserved.filter((a) => !a.change).at(-1);
    // Never below the receive index: addresses before it were handed out already (Specter could
    // reserve those when an old address had been associated by hand).
    let index = Math.max(lastReceive ? lastReceive.index + 2 : 0, wallet.addressIndex + 1);
    let have = reserved.length;
    const added: string[] = [];
    while (have < num) {
      const address = await wallet.getAddress(index, false);
      index += 2;
      const info = wallet.getAddressInfo(address);
      if (info.used || info.reserved) continue;
      await wallet.associateAddress(address, ext.id, label);
      added.push(address);
      have++;
      if (annotations) await annotations.setAddrAnnotations(address, options.annotations!, false);
    }
    if (annotations && added.length) await annotations.save();
    return wallet.getAssociatedAddresses(ext.id, true).map((a) => a.address);
  });
}

/**
 * The seed's `unreserve_addresses`: releases every *unused* address the extension reserved in
 * the wallet (a label the reservation set goes back to the default) and drops their annotations.
 * Used addresses stay associated: they record where the money came from. Returns the released
 * addresses.
 */
export async function unreserveAddresses(ext: Pick<ReservationScope, 'id' | 'wallets' | 'store'>, walletAlias: string): Promise<string[]> {
  const wallet = await ext.wallets.get(walletAlias);
  const annotations = await openAnnotations(ext.wallets, ext.store, walletAlias, ext.id);
  return locked(wallet, async () => {
    const released: string[] = [];
    for (const a of wallet.getAssociatedAddresses(ext.id, true)) {
      await wallet.deassociateAddress(a.address);
      await annotations.removeAddrAnnotations(a.address, false);
      released.push(a.address);
    }
    if (released.length) await annotations.save();
    return released;
  });
}

/**
 * Releases one address from whatever extension it is associated with (the UI's "Release": the
 * seed's missing "manually un-reserve"), dropping that extension's annotation for it. Resolves
 * to the extension id it was associated with, or null when it was not.
 */
export async function releaseAddress(wallets: WalletsService, store: JsonFileStore, walletAlias: string, address: string): Promise<string | null> {
  const wallet = await wallets.get(walletAlias);
  return locked(wallet, async () => {
    const { serviceId } = wallet.getAddressInfo(address);
    if (!serviceId) return null;
    await wallet.deassociateAddress(address);
    const annotations = await openAnnotations(wallets, store, walletAlias, serviceId).catch(() => undefined);
    // An id that cannot name a file (imported from elsewhere) has no annotation file to clean.
    if (annotations && Object.keys(annotations.getAddrAnnotations(address)).length) await annotations.removeAddrAnnotations(address);
    return serviceId;
  });
}
