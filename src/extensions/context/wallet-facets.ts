import type { JsonFileStore } from '../../persistence/index.js';
import {
  openAnnotations,
  reserveAddress,
  reserveAddresses,
  unreserveAddresses,
  type ServiceWallet,
  type WalletAddress,
} from '../address-reservation.js';
import type { CapabilitySet } from '../capabilities.js';
import type { ExtensionPorts } from '../host.js';
import type { AddressesApi, AddressInfo, AnnotationsApi, WalletAnnotations, WalletInfo, WalletsApi } from './types.js';
import { actingUser, portsOf } from './user-scope.js';

export interface WalletFacetOptions {
  ports: ExtensionPorts | undefined;
  caps: CapabilitySet;
  extId: string;
  /** "Reserved for <name>". */
  defaultLabel: string;
  store: JsonFileStore;
}

function walletInfo(w: ServiceWallet): WalletInfo {
  return Object.freeze({ alias: w.alias, name: w.name, addressIndex: w.addressIndex });
}

function addressInfo(a: WalletAddress): AddressInfo {
  return Object.freeze({ ...a });
}

/** The acting user's wallets and chain data; every call checks `what` against the capability first. */
function scoped(o: WalletFacetOptions, cap: 'wallets:read' | 'addresses:reserve', what: string) {
  o.caps.require(cap, what);
  const ports = portsOf(o.ports, o.extId, what);
  const user = actingUser(o.extId, what);
  return { ports, user, wallets: ports.walletsOf(user) };
}

export function walletsFacet(o: WalletFacetOptions): WalletsApi {
  return {
    list: async () => (await scoped(o, 'wallets:read', 'ctx.wallets.list()').wallets.list()).map(walletInfo),
    get: async (alias) => walletInfo(await scoped(o, 'wallets:read', 'ctx.wallets.get()').wallets.get(alias)),
    address: async (alias, address) =>
      addressInfo((await scoped(o, 'wallets:read', 'ctx.wallets.address()').wallets.get(alias)).getAddressInfo(address)),
    balance: async (alias) => {
      const { ports, user } = scoped(o, 'wallets:read', 'ctx.wallets.balance()');
      return ports.chainOf(user).balance(alias);
    },
    transactions: async (alias, page) => {
      const { ports, user } = scoped(o, 'wallets:read', 'ctx.wallets.transactions()');
      const { total, transactions } = await ports.chainOf(user).transactions(alias, page ?? {});
      return { total, items: transactions };
    },
    utxos: async (alias) => {
      const { ports, user } = scoped(o, 'wallets:read', 'ctx.wallets.utxos()');
      return ports.chainOf(user).utxos(alias);
    },
  };
}

export function addressesFacet(o: WalletFacetOptions): AddressesApi {
  const scope = (what: string) => ({ id: o.extId, label: o.defaultLabel, wallets: scoped(o, 'addresses:reserve', what).wallets, store: o.store });
  return {
    reserve: async (wallet, options = {}) =>
      reserveAddresses(scope('ctx.addresses.reserve()'), wallet, {
        ...(options.count !== undefined && { numAddresses: options.count }),
        ...(options.label !== undefined && { label: options.label }),
        ...(options.annotations !== undefined && { annotations: options.annotations }),
      }),
    reserveOne: async (wallet, address, label) => addressInfo(await reserveAddress(scope('ctx.addresses.reserveOne()'), wallet, address, label)),
    release: async (wallet) => unreserveAddresses(scope('ctx.addresses.release()'), wallet),
    reserved: async (wallet, options = {}) => {
      const w = await scope('ctx.addresses.reserved()').wallets.get(wallet);
      return w.getAssociatedAddresses(o.extId, options.unusedOnly ?? false).map(addressInfo);
    },
  };
}

export function annotationsFacet(o: WalletFacetOptions): AnnotationsApi {
  return {
    forWallet: async (alias): Promise<WalletAnnotations> => {
      const { wallets } = scoped(o, 'addresses:reserve', 'ctx.annotations.forWallet()');
      const wallet = await wallets.get(alias); // WALLET_NOT_FOUND for another user's alias
      const a = await openAnnotations(wallets, o.store, wallet.alias, o.extId);
      return {
        address: (address) => a.getAddrAnnotations(address),
        addresses: () => a.getAllAddrAnnotations(),
        setAddress: (address, value) => a.setAddrAnnotations(address, value),
        removeAddress: (address) => a.removeAddrAnnotations(address),
        tx: (txid) => a.getTxAnnotations(txid),
        transactions: () => a.getAllTxAnnotations(),
        setTx: (txid, value) => a.setTxAnnotations(txid, value),
        removeTx: (txid) => a.removeTxAnnotations(txid),
      };
    },
  };
}
