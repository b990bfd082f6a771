/**
 * The wallet page and its tabs — Addresses, Receive, the user's extension tabs, Settings — plus
 * the address detail view (label, usage, the associated extension with its annotations,
 * "associate with plugin" and "release").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { RouteDeps } from './index.js';
import type { AddressInfo, Wallet } from '../../managers/wallets/index.js';
import { SpecterError, isSpecterError } from '../../errors/index.js';
import { openAnnotations, releaseAddress } from '../../extensions/address-reservation.js';
import { annotationFile } from '../../extensions/storage/index.js';
import { flash } from '../flash.js';
import { field, formError, serviceView, walletNav, walletSettingsView, type ServiceView } from './wallets-view.js';
import { registerWalletLabelRoutes } from './wallet-labels.js';

const PAGE_SIZES = [10, 25, 50, 100];
const SORTS = ['index', 'label', 'used'] as const;
type Sort = (typeof SORTS)[number];
const CHUNK = 1_000;

export interface AddressListQuery {
  change: 0 | 1;
  page: number;
  size: number;
  sort: Sort;
  dir: 'asc' | 'desc';
}

/** The list's query with forgiving defaults (a hand-edited URL shows the first page, not an error). */
export function parseListQuery(query: unknown): AddressListQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const int = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : NaN);
  const size = int(q.size);
  const page = int(q.page);
  return {
    change: q.change === '1' ? 1 : 0,
    page: page >= 1 ? page : 1,
    size: PAGE_SIZES.includes(size) ? size : 25,
    sort: SORTS.includes(q.sort as Sort) ? (q.sort as Sort) : 'index',
    dir: q.dir === 'desc' ? 'desc' : 'asc',
  };
}

/** Derived addresses on a branch (the keypool); the list never derives new ones. */
function derivedCount(wallet: Wallet, change: 0 | 1): number {
  const r = wallet.toJSON();
  return change ? r.change_keypool : r.keypool;
}

async function allAddresses(wallet: Wallet, change: 0 | 1, total: number): Promise<AddressInfo[]> {
  const out: AddressInfo[] = [];
  for (let from = 0; from < total; from += CHUNK) out.push(...(await wallet.addresses(change, from, Math.min(CHUNK, total - from))));
  return out;
}

/** One page of the list: index order reads only that page; label/used order sorts the whole branch. */
export async function addressPage(wallet: Wallet, q: AddressListQuery): Promise<{ rows: AddressInfo[]; total: number; pages: number; page: number }> {
  const total = derivedCount(wallet, q.change);
  const pages = Math.max(1, Math.ceil(total / q.size));
  const page = Math.min(q.page, pages);
  const start = (page - 1) * q.size;
  let rows: AddressInfo[];
  if (q.sort === 'index') {
    if (q.dir === 'asc') rows = await wallet.addresses(q.change, start, Math.min(q.size, total - start));
    else {
      const to = total - start;
      const from = Math.max(0, to - q.size);
      rows = (await wallet.addresses(q.change, from, to - from)).reverse();
    }
  } else {
    const all = await allAddresses(wallet, q.change, total);
    const sign = q.dir === 'asc' ? 1 : -1;
    const key = q.sort === 'label' ? (a: AddressInfo) => a.label.toLowerCase() : (a: AddressInfo) => (a.used ? 1 : 0);
    all.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return (ka < kb ? -sign : ka > kb ? sign : 0) || a.index - b.index;
    });
    rows = all.slice(start, start + q.size);
  }
  return { rows, total, pages, page };
}

/** The address as an SVG QR code (the Receive tab and the address page draw the same one). */
function addressQr(address: string): Promise<string> {
  return QRCode.toString(address, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
}

export function registerWalletPageRoutes(app: FastifyInstance, { specter, endpoints }: RouteDeps, prefix: string): void {
  const base = `${prefix}/wallets/:wallet_alias`;
  const names: Record<string, string> = {
    wallet: '/',
    addresses: '/addresses/',
    address: '/address/:address',
    address_label: '/address/:address/label',
    address_associate: '/address/:address/associate',
    address_release: '/address/:address/release',
    receive: '/receive/',
    settings: '/settings/',
    backup: '/backup.json',
    delete_wallet: '/delete',
  };
  for (const [name, path] of Object.entries(names)) endpoints.registerEndpoint(`wallets_endpoint.${name}`, base + path);
  const url = (name: string, alias: string, params: Record<string, string | number> = {}) =>
    endpoints.urlFor(`wallets_endpoint.${name}`, { wallet_alias: alias, ...params });
  const wallets = specter.walletManager;
  const walletOf = (request: FastifyRequest) => wallets.get((request.params as { wallet_alias: string }).wallet_alias);
  const addressOf = (request: FastifyRequest) => (request.params as { address: string }).address;

  const render = async (request: FastifyRequest, reply: FastifyReply, wallet: Wallet, tab: string, template: string, ctx: Record<string, unknown>) =>
    reply.render(template, { wallet_nav: await walletNav(specter, request, wallet, tab), ...ctx });

  app.get(base, async (request, reply) => reply.redirect(url('addresses', (await walletOf(request)).alias)));
  app.get(`${base}/`, async (request, reply) => reply.redirect(url('addresses', (await walletOf(request)).alias)));

  // Addresses tab
  app.get(`${base}/addresses/`, async (request, reply) => {
    const wallet = await walletOf(request);
    const q = parseListQuery(request.query);
    const { rows, total, pages, page } = await addressPage(wallet, q);
    const services = new Map<string, ServiceView>();
    const list = rows.map((a) => ({
      index: a.index,
      address: a.address,
      label: a.label,
      used: a.used,
      service: a.serviceId ? (services.get(a.serviceId) ?? services.set(a.serviceId, serviceView(specter, a.serviceId)).get(a.serviceId)) : null,
      url: url('address', wallet.alias, { address: a.address }),
    }));
    const link = (over: Partial<AddressListQuery>) => {
      const next = { ...q, page, ...over };
      return url('addresses', wallet.alias, { change: next.change, page: next.page, size: next.size, sort: next.sort, dir: next.dir });
    };
    const sortLink = (sort: Sort) => link({ sort, dir: q.sort === sort && q.dir === 'asc' ? 'desc' : 'asc', page: 1 });
    return render(request, reply, wallet, 'addresses', 'wallets/addresses.njk', {
      q: { ...q, page },
      rows: list,
      total,
      pages,
      page_sizes: PAGE_SIZES,
      links: {
        receive: link({ change: 0, page: 1 }),
        change: link({ change: 1, page: 1 }),
        prev: page > 1 ? link({ page: page - 1 }) : null,
        next: page < pages ? link({ page: page + 1 }) : null,
        sort: { index: sortLink('index'), label: sortLink('label'), used: sortLink('used') },
      },
      form_action: url('addresses', wallet.alias),
    });
  });

  // Address detail
  const renderAddress = async (request: FastifyRequest, reply: FastifyReply, wallet: Wallet, address: string, extra: Record<string, unknown> = {}) => {
    const info = wallet.getAddressInfo(address);
    let annotations: Array<{ key: string; value: string }> = [];
    let annotationsError: string | null = null;
    if (info.serviceId) {
      try {
        const stored = (await openAnnotations(specter, wallet.alias, info.serviceId)).getAddrAnnotations(info.address);
        annotations = Object.entries(stored).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) }));
      } catch (err) {
        if (!isSpecterError(err)) throw err;
        annotationsError = err.message;
      }
    }
    const active = specter.services.activation.activeFor(request.user).map((e) => ({ id: e.id, name: e.manifest.name }));
    return render(request, reply, wallet, 'addresses', 'wallets/address.njk', {
      info: { ...info, branch: info.change ? 'Change' : 'Receive', path: `${info.change ? 1 : 0}/${info.index}` },
      service: info.serviceId ? serviceView(specter, info.serviceId) : null,
      annotations,
      annotations_error: annotationsError,
      active_extensions: active,
      back_url: url('addresses', wallet.alias, { change: info.change ? 1 : 0, page: Math.floor(info.index / 25) + 1 }),
      label_value: info.customLabel ?? '',
      qr_svg: await addressQr(info.address),
      ...extra,
    });
  };
  app.get(`${base}/address/:address`, async (request, reply) => renderAddress(request, reply, await walletOf(request), addressOf(request)));

  app.post(`${base}/address/:address/label`, async (request, reply) => {
    const wallet = await walletOf(request);
    const address = addressOf(request);
    const back = field(request.body, 'next') === 'receive' ? url('receive', wallet.alias) : url('address', wallet.alias, { address });
    try {
      const info = await wallet.setLabel(address, field(request.body, 'label'));
      await flash(request, `Label of ${info.change ? 'change' : 'receive'} address #${info.index} set to "${info.label}".`, 'success');
    } catch (err) {
      await flash(request, formError(err).message, 'error');
    }
    return reply.redirect(back);
  });

  app.post(`${base}/address/:address/associate`, async (request, reply) => {
    const wallet = await walletOf(request);
    const address = addressOf(request);
    const serviceId = field(request.body, 'service_id');
    try {
      const ext = specter.services.activation.activeFor(request.user).find((e) => e.id === serviceId);
      if (!ext) throw new SpecterError('EXT_NOT_FOUND', `The plugin "${serviceId}" is not active for you.`, { hint: 'Pick one of your active plugins, or activate it in "Choose plugins".' });
      await ext.reserveAddress(wallet.alias, address);
      await flash(request, `Address associated with ${ext.manifest.name}.`, 'success');
    } catch (err) {
      await flash(request, formError(err).message, 'error');
    }
    return reply.redirect(url('address', wallet.alias, { address }));
  });

  app.post(`${base}/address/:address/release`, async (request, reply) => {
    const wallet = await walletOf(request);
    const address = addressOf(request);
    const was = await releaseAddress(specter, wallet.alias, address);
    await flash(request, was ? `Address released from ${serviceView(specter, was).name}.` : 'The address was not associated with a plugin.', was ? 'success' : 'info');
    return reply.redirect(url('address', wallet.alias, { address }));
  });

  // Receive tab
  app.get(`${base}/receive/`, async (request, reply) => {
    const wallet = await walletOf(request);
    const address = await wallet.currentReceiveAddress();
    const info = wallet.getAddressInfo(address);
    const qr = await addressQr(address);
    return render(request, reply, wallet, 'receive', 'wallets/receive.njk', { info, qr_svg: qr, label_value: info.customLabel ?? '' });
  });
  app.post(`${base}/receive/`, async (request, reply) => {
    const wallet = await walletOf(request);
    if (field(request.body, 'action') === 'newaddress') await wallet.getNewAddress();
    return reply.redirect(url('receive', wallet.alias));
  });

  // Settings tab
  app.get(`${base}/settings/`, async (request, reply) => {
    const wallet = await walletOf(request);
    return render(request, reply, wallet, 'settings', 'wallets/settings.njk', await walletSettingsView(specter, wallet));
  });
  registerWalletLabelRoutes(app, { specter, endpoints }, base, (request, reply, wallet, ctx) => render(request, reply, wallet, 'settings', 'wallets/settings.njk', ctx));
  app.get(`${base}/backup.json`, async (request, reply) => {
    const wallet = await walletOf(request);
    const backup = await wallets.exportBackup(wallet.alias);
    return reply
      .header('content-disposition', `attachment; filename="${wallet.alias}-backup.json"`)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(backup, null, 2));
  });

  app.get(`${base}/delete`, async (request, reply) => {
    const wallet = await walletOf(request);
    return render(request, reply, wallet, 'settings', 'wallets/delete.njk', {});
  });
  app.post(`${base}/delete`, async (request, reply) => {
    const wallet = await walletOf(request);
    if (field(request.body, 'confirm') !== 'yes') return reply.redirect(url('settings', wallet.alias));
    await wallets.remove(wallet.alias);
    await removeAnnotationFiles(wallet.alias);
    await flash(request, `Wallet "${wallet.name}" deleted. Its devices are kept.`, 'success');
    return reply.redirect(endpoints.urlFor('wallets_endpoint.wallets_overview'));
  });

  /**
   * The loaded extensions' annotation files of a deleted wallet, so a later wallet with the same
   * alias does not inherit them. `<alias>_<id>.json` can also be another wallet's definition
   * (wallet "a_notes"): such a file is left alone.
   */
  async function removeAnnotationFiles(alias: string): Promise<void> {
    const aliases = new Set((await wallets.list()).map((w) => w.alias));
    for (const ext of specter.extensionManager.extensions) {
      if (aliases.has(`${alias}_${ext.id}`)) continue;
      try {
        await specter.store.delete(annotationFile(wallets.walletsFolder, alias, ext.id));
      } catch (err) {
        specter.logger.warn({ err, wallet: alias, ext: ext.id }, 'could not remove an annotation file of a deleted wallet');
      }
    }
  }
}
