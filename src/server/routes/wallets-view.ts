/**
 * What the wallet and device pages (and the sidebar) show of wallets, devices and the extensions
 * addresses are reserved for: display names, the wallet tab bar, form error views.
 */
import type { FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { LABEL_FORMATS, LABEL_FORMAT_NAMES, MAX_IMPORT_TEXT, type Wallet } from '../../managers/wallets/index.js';
import type { Device } from '../../managers/devices/index.js';
import { SCRIPT_TYPE_NAMES, type ScriptType } from '../../bitcoin/index.js';
import type { WalletsService } from '../../extensions/address-reservation.js';
import { isSpecterError } from '../../errors/index.js';
import { extensionTabs, iconUrl } from '../extensions/contributions.js';

/** Compile-time check: the wallet manager is the wallets service extensions reserve addresses through. */
export const asWalletsService = (specter: Specter): WalletsService => specter.walletManager;

export { SCRIPT_TYPE_NAMES };

export const NETWORK_NAMES: Record<string, string> = { main: 'Mainnet', test: 'Testnet', signet: 'Signet', regtest: 'Regtest' };

/** "2 of 3 multisig" or "Single key". */
export function policyText(wallet: Wallet): string {
  const d = wallet.descriptor;
  return d.kind === 'multisig' ? `${d.threshold} of ${d.keys.length} multisig` : 'Single key';
}

export interface WalletSummary {
  alias: string;
  name: string;
  policy: string;
  kind: 'singlesig' | 'multisig';
  script_type: ScriptType;
  script_type_name: string;
  network: string;
  network_name: string;
  address_index: number;
  keypool: number;
  devices: number;
  url: string;
}

export function walletSummary(specter: Specter, wallet: Wallet): WalletSummary {
  const d = wallet.descriptor;
  const record = wallet.toJSON();
  return {
    alias: wallet.alias,
    name: wallet.name,
    policy: policyText(wallet),
    kind: d.kind,
    script_type: d.scriptType,
    script_type_name: SCRIPT_TYPE_NAMES[d.scriptType],
    network: wallet.network,
    network_name: NETWORK_NAMES[wallet.network] ?? wallet.network,
    address_index: wallet.addressIndex,
    keypool: record.keypool,
    devices: d.keys.length,
    url: specter.endpoints.urlFor('wallets_endpoint.wallet', { wallet_alias: wallet.alias }),
  };
}

export interface DeviceSummary {
  alias: string;
  name: string;
  type: string;
  type_name: string;
  icon: string;
  keys_count: number;
  url: string;
}

export function deviceIcon(specter: Specter, type: string): string {
  return specter.deviceManager.types.has(type) ? specter.deviceManager.types.get(type).icon : '/static/img/devices/generic_icon.svg';
}

export function deviceSummary(specter: Specter, device: Device): DeviceSummary {
  const known = specter.deviceManager.types.has(device.type);
  return {
    alias: device.alias,
    name: device.name,
    type: device.type,
    type_name: known ? specter.deviceManager.types.get(device.type).name : device.type,
    icon: deviceIcon(specter, device.type),
    keys_count: device.keys.length,
    url: specter.endpoints.urlFor('devices_endpoint.device', { device_alias: device.alias }),
  };
}

/** An extension an address is reserved for, for display; unknown (not loaded) ids get a generic icon. */
export interface ServiceView {
  id: string;
  name: string;
  icon: string;
  loaded: boolean;
}

export function serviceView(specter: Specter, serviceId: string): ServiceView {
  const ext = specter.extensionManager.get(serviceId);
  if (!ext) return { id: serviceId, name: serviceId, icon: '/static/img/plugin.svg', loaded: false };
  return { id: ext.id, name: ext.manifest.name, icon: iconUrl(specter, ext) ?? '/static/img/plugin.svg', loaded: true };
}

export interface WalletTab {
  key: string;
  title: string;
  url: string;
}

/** The wallet header and tab bar: History, Addresses, Receive, Send, UTXOs, the user's extension tabs, Settings. */
export interface WalletNav {
  alias: string;
  name: string;
  policy: string;
  script_type_name: string;
  network_name: string;
  tabs: WalletTab[];
  active: string;
}

export async function walletNav(specter: Specter, request: FastifyRequest, wallet: Wallet, active: string): Promise<WalletNav> {
  const url = (name: string) => specter.endpoints.urlFor(`wallets_endpoint.${name}`, { wallet_alias: wallet.alias });
  const tabs: WalletTab[] = [
    { key: 'history', title: 'History', url: url('history') },
    { key: 'addresses', title: 'Addresses', url: url('addresses') },
    { key: 'receive', title: 'Receive', url: url('receive') },
    { key: 'send', title: 'Send', url: url('send_new') },
    { key: 'utxos', title: 'UTXOs', url: url('utxos') },
    ...(await extensionTabs(specter, request, 'add_wallettabs', { wallet_alias: wallet.alias })),
    { key: 'settings', title: 'Settings', url: url('settings') },
  ];
  const summary = walletSummary(specter, wallet);
  return {
    alias: wallet.alias,
    name: wallet.name,
    policy: summary.policy,
    script_type_name: summary.script_type_name,
    network_name: summary.network_name,
    tabs,
    active,
  };
}

/** The Settings tab's context: descriptors, devices (deleted ones marked), keys, indexes, label counts. */
export async function walletSettingsView(specter: Specter, wallet: Wallet): Promise<Record<string, unknown>> {
  const descriptors = await specter.walletManager.exportDescriptor(wallet.alias);
  const devices = [];
  for (const alias of wallet.devices) {
    try {
      const d = await specter.deviceManager.get(alias);
      devices.push({ name: d.name, url: specter.endpoints.urlFor('devices_endpoint.device', { device_alias: alias }) });
    } catch (err) {
      if (!isSpecterError(err, 'DEVICE_NOT_FOUND')) throw err;
      devices.push({ name: `${alias} (deleted)`, url: null });
    }
  }
  return {
    descriptors,
    devices,
    keys: wallet.descriptor.keys.map((k) => ({ fingerprint: k.fingerprint, path: k.originPath, xpub: k.xpub })),
    record: wallet.toJSON(),
    labels_count: wallet.customLabels().length,
    label_formats: LABEL_FORMATS.map((f) => ({ value: f, name: LABEL_FORMAT_NAMES[f] })),
    max_import_text: MAX_IMPORT_TEXT,
    labels_values: { data: '', format: '' },
  };
}

/** A refused form: the message and hint to show next to it. Anything but a SpecterError is rethrown. */
/** A refused form's error for the template, with the HTTP status the page is answered with. */
export function formError(err: unknown): {
  message: string;
  hint: string | undefined;
  code: string;
  status: number;
  details: Record<string, unknown> | undefined;
} {
  if (!isSpecterError(err)) throw err;
  // The form is answered again with the error: a conflict (taken name, duplicate) is 409, any other
  // refusal of what was typed is 400 (even "no such key", which is a 404 for the API).
  return { message: err.message, hint: err.hint, code: err.code, status: err.status === 409 ? 409 : 400, details: err.details };
}
