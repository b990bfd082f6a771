import type { CallbackStyle } from './manifest.js';
import type { ExtensionScheduler } from './scheduler.js';
import type { WalletSyncedEvent } from '../managers/chain/index.js';
import type { PsbtCreatedEvent, TransactionBroadcastEvent } from '../managers/psbt/index.js';
import type { PriceProvider } from '../managers/price/index.js';

/**
 * The core callbacks: Specter Desktop's catalogue (specter-behaviour.md §3) with the seed's ids,
 * so extension authors porting from Python find the names they know. `style` is the return style:
 * `collect` gathers `{extId: value}` (null/undefined dropped), `middleware` threads its first
 * argument through every extension.
 */
export interface CallbackDefinition {
  id: string;
  style: CallbackStyle;
  description: string;
  /** `core`, or the id of the extension that defined it. */
  definedBy: string;
}

export const CORE_CALLBACKS: readonly CallbackDefinition[] = Object.freeze([
  {
    id: 'afterExtensionManagerInit',
    style: 'collect',
    definedBy: 'core',
    description: 'Fired once at the end of extension loading. Return value ignored.',
  },
  {
    id: 'specter_added_to_flask_app',
    style: 'collect',
    definedBy: 'core',
    description: 'The server is built: the UI, the API and every extension route are mounted, before it listens. Return value ignored.',
  },
  {
    id: 'after_serverpy_init_app',
    style: 'collect',
    definedBy: 'core',
    description: 'Last step of server start; receives {scheduler}. The place for initialising work and jobs. Return value ignored.',
  },
  {
    id: 'flask_before_request',
    style: 'collect',
    definedBy: 'core',
    description: 'Before every request (static included); receives the request. Return value ignored.',
  },
  {
    id: 'specter_persistence_callback',
    style: 'collect',
    definedBy: 'core',
    description: 'After every data file write or delete; receives {path, mode}. Return value ignored.',
  },
  {
    id: 'flash',
    style: 'collect',
    definedBy: 'core',
    description: 'A flash message (message, category); any non-null return means an extension showed it and the core flash is skipped.',
  },
  { id: 'add_settingstabs', style: 'collect', definedBy: 'core', description: 'Returns [{title, endpoint}] tabs for the settings page.' },
  {
    id: 'add_wallettabs',
    style: 'collect',
    definedBy: 'core',
    description: 'Returns [{title, endpoint}] tabs for wallet pages (endpoint takes wallet_alias).',
  },
  {
    id: 'adjust_view_model',
    style: 'middleware',
    definedBy: 'core',
    description: 'Receives a view model (WelcomeVm, WalletsOverviewVm) and must return it, possibly changed.',
  },
  { id: 'cleanup_on_exit', style: 'collect', definedBy: 'core', description: 'On SIGINT/SIGTERM; receives the signal name. Return value ignored.' },
  {
    id: 'create_and_show_notification',
    style: 'collect',
    definedBy: 'core',
    description: 'Create and show a notification (title, options). Not fired by the core.',
  },
  {
    id: 'wallet_synced',
    style: 'collect',
    definedBy: 'core',
    description:
      "After a wallet sync found new or changed transactions; receives {user, wallet, transactions} with the service_id of reserved receiving addresses. Fired only for extensions the wallet's user activated. Return value ignored.",
  },
  {
    id: 'psbt_created',
    style: 'collect',
    definedBy: 'core',
    description:
      "After a PSBT (or an RBF replacement) was created and its coins locked; receives {user, wallet, txid, amount, fee, fee_rate, recipients, replaces}. Fired only for extensions the wallet's user activated. Return value ignored.",
  },
  {
    id: 'transaction_broadcast',
    style: 'collect',
    definedBy: 'core',
    description:
      "After a wallet's transaction was accepted by the node and sent; receives {user, wallet, txid, amount, fee}. Fired only for extensions the wallet's user activated. Return value ignored.",
  },
  {
    id: 'price_providers',
    style: 'collect',
    definedBy: 'core',
    description:
      "Returns PriceProvider[] ({id, name, currencies, fetch(currency, signal)}): fiat price sources for Settings → Price. The core calls a provider's fetch on its own schedule, with a timeout, and checks the number; fetch uses the plugin's own ctx.http.",
  },
] satisfies CallbackDefinition[]);

/** A settings or wallet tab contributed by `add_settingstabs` / `add_wallettabs`. */
export interface ExtensionTab {
  title: string;
  /** Endpoint name inside the extension's default blueprint, e.g. `"settings_get"`. */
  endpoint: string;
}

/**
 * The callback methods an extension may implement: `callback_<id>`. Method syntax on purpose:
 * parameters are checked bivariantly, so an author can narrow them
 * (`callback_adjust_view_model(vm: WelcomeVm)`). All may be async; the registry awaits them.
 */
export interface ExtensionCallbacks {
  callback_afterExtensionManagerInit?(): unknown;
  callback_specter_added_to_flask_app?(): unknown;
  callback_after_serverpy_init_app?(args: { scheduler: ExtensionScheduler }): unknown;
  callback_flask_before_request?(request: unknown): unknown;
  callback_specter_persistence_callback?(args: { path: string; mode: 'write' | 'delete' }): unknown;
  callback_flash?(message: string, category?: string): unknown;
  callback_add_settingstabs?(): ExtensionTab[] | undefined | Promise<ExtensionTab[] | undefined>;
  callback_add_wallettabs?(): ExtensionTab[] | undefined | Promise<ExtensionTab[] | undefined>;
  callback_adjust_view_model?(viewModel: unknown): unknown;
  callback_cleanup_on_exit?(signal?: string): unknown;
  callback_create_and_show_notification?(title: string, options?: Record<string, unknown>): unknown;
  callback_wallet_synced?(event: WalletSyncedEvent): unknown;
  callback_psbt_created?(event: PsbtCreatedEvent): unknown;
  callback_transaction_broadcast?(event: TransactionBroadcastEvent): unknown;
  callback_price_providers?(): PriceProvider[] | undefined | Promise<PriceProvider[] | undefined>;
}

export type CoreCallbackId =
  | 'afterExtensionManagerInit'
  | 'specter_added_to_flask_app'
  | 'after_serverpy_init_app'
  | 'flask_before_request'
  | 'specter_persistence_callback'
  | 'flash'
  | 'add_settingstabs'
  | 'add_wallettabs'
  | 'adjust_view_model'
  | 'cleanup_on_exit'
  | 'create_and_show_notification'
  | 'wallet_synced'
  | 'psbt_created'
  | 'transaction_broadcast'
  | 'price_providers';
