import { flash, isSpecterError, userSecretDecryptedRequired, type Blueprint } from 'specter-ts';
import type AutowithdrawExtension from './index.js';
import { ExchangeError } from './exchange.js';

type Body = Record<string, string | undefined>;

/**
 * `/spc/ext/autowithdraw/`: settings (token, wallet, "sync now", remove) behind
 * `userSecretDecryptedRequired` (the token is encrypted with the user's secret), and the wallet
 * tab `/spc/ext/autowithdraw/wallet/<wallet_alias>/` listing the reserved addresses with their
 * annotations (no secret needed: reservations and annotations are not encrypted).
 */
export default function controller(bp: Blueprint, ext: AutowithdrawExtension): void {
  const home = () => ext.ctx.urlFor('.index');
  const guarded = { preHandler: userSecretDecryptedRequired };

  bp.get(
    '/',
    'index',
    async (request, reply) => {
      const data = await ext.settings();
      const wallets = (await ext.ctx.wallets.list()).map((w) => ({ alias: w.alias, name: w.name }));
      let reserved = 0;
      if (data.wallet) {
        try {
          reserved = (await ext.ctx.addresses.reserved(data.wallet, { unusedOnly: true })).length;
        } catch (err) {
          if (!isSpecterError(err, 'WALLET_NOT_FOUND')) throw err;
        }
      }
      return reply.render('autowithdraw/index.njk', {
        token_set: Boolean(data.token),
        wallet: data.wallet ?? '',
        wallet_name: wallets.find((w) => w.alias === data.wallet)?.name ?? data.wallet ?? '',
        wallets,
        last_sync: data.last_sync ?? null,
        reserved,
        api_url: ext.apiUrl,
        interval: Number(ext.ctx.config.AUTOWITHDRAW_INTERVAL_SECONDS),
        target: Number(ext.ctx.config.AUTOWITHDRAW_RESERVED_ADDRESSES),
        user: request.user?.name,
      });
    },
    guarded,
  );

  bp.post(
    '/',
    'save',
    async (request, reply) => {
      const body = (request.body ?? {}) as Body;
      try {
        await ext.saveSettings({ token: body.token ?? '', wallet: body.wallet ?? '' });
        await flash(request, 'Auto-withdraw settings saved. Use "Sync now" or wait for the next scheduled run.', 'success');
      } catch (err) {
        if (!(err instanceof ExchangeError) && !isSpecterError(err)) throw err;
        await flash(request, err.message, 'error');
      }
      return reply.redirect(home());
    },
    guarded,
  );

  bp.post(
    '/sync',
    'sync_now',
    async (request, reply) => {
      const data = await ext.settings();
      if (!data.token || !data.wallet) {
        await flash(request, 'Save an API token and a wallet first.', 'error');
        return reply.redirect(home());
      }
      const result = await ext.syncUser(ext.ctx.users.current()!, data);
      await flash(request, result.message, result.ok ? 'success' : 'error');
      return reply.redirect(home());
    },
    guarded,
  );

  bp.post(
    '/remove',
    'remove',
    async (request, reply) => {
      await ext.removeIntegration();
      await flash(request, 'Auto-withdraw removed: the token is deleted and the unused reserved addresses are released.', 'success');
      return reply.redirect(home());
    },
    guarded,
  );

  bp.get('/wallet/:wallet_alias/', 'wallet_tab', async (request, reply) => {
    const alias = (request.params as { wallet_alias: string }).wallet_alias;
    const wallet = await ext.ctx.wallets.get(alias);
    const annotations = (await ext.ctx.annotations.forWallet(wallet.alias)).addresses();
    const rows = (await ext.ctx.addresses.reserved(wallet.alias)).map((a) => ({
      index: a.index,
      change: a.change,
      address: a.address,
      label: a.label,
      used: a.used,
      annotations: Object.entries(annotations[a.address] ?? {}).map(([key, value]) => ({
        key,
        value: typeof value === 'string' ? value : JSON.stringify(value),
      })),
    }));
    return reply.render('autowithdraw/wallet_tab.njk', { rows, wallet_alias: wallet.alias, settings_url: home() });
  });
}
