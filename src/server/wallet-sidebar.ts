/**
 * A view contributor: the sidebar's wallets (name + policy) and devices (name + key count + type
 * icon) with the "Add new wallet" / "Add new device" buttons, for logged-in users.
 *
 * It also gives extension wallet tabs (`add_wallettabs`) their frame: on a page whose route has a
 * `wallet_alias` parameter and that did not build the wallet header itself, it sets `wallet_nav`
 * (wallet name, policy, tab bar with the current tab active), so an extension template only
 * extends `wallets/components/wallet_tab.njk` and fills `{% block wallet_content %}`.
 *
 * A broken data file must not take every page down with it: failures are logged and the sidebar
 * stays empty.
 */
import type { FastifyRequest } from 'fastify';
import type { Specter } from '../specter/index.js';
import type { ViewContributor } from './plugins/rendering.js';
import { deviceSummary, walletNav, walletSummary } from './routes/wallets-view.js';

export function walletSidebarContributor(specter: Specter): ViewContributor {
  return async (request: FastifyRequest, context: Record<string, unknown>, pageContext?: Readonly<Record<string, unknown>>) => {
    if (!request.user) return;
    const sidebar = context.sidebar as Record<string, unknown>;
    try {
      sidebar.new_wallet_url = specter.endpoints.urlFor('wallets_endpoint.new_wallet');
      sidebar.new_device_url = specter.endpoints.urlFor('devices_endpoint.new_device');
      sidebar.wallets = (await specter.walletManager.list()).map((w) => {
        const s = walletSummary(specter, w);
        return { alias: s.alias, name: s.name, policy: s.policy, url: s.url };
      });
      sidebar.devices = (await specter.deviceManager.list()).map((d) => {
        const s = deviceSummary(specter, d);
        return { alias: s.alias, name: s.name, keys_count: s.keys_count, icon: s.icon, url: s.url };
      });
    } catch (err) {
      specter.logger.error({ err }, 'could not list wallets and devices for the sidebar');
    }
    const params = request.params;
    const alias = typeof params === 'object' && params !== null && 'wallet_alias' in params ? params.wallet_alias : undefined;
    if (typeof alias === 'string' && request.extension && pageContext?.wallet_nav === undefined) {
      try {
        const wallet = await specter.walletManager.get(alias);
        const path = request.url.split('?')[0];
        const nav = await walletNav(specter, request, wallet, '');
        nav.active = nav.tabs.find((t) => t.url.split('?')[0] === path)?.key ?? '';
        context.wallet_nav = nav;
      } catch (err) {
        specter.logger.debug({ err, wallet: alias }, 'no wallet header for this extension page');
      }
    }
  };
}
