/**
 * The wallet page and its tabs — Addresses, Receive, the user's extension tabs, Settings — plus
 * the address detail view (label, usage, the associated extension with its annotations,
 * "associate with plugin" and "release").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AreaOptions } from '../index.js';
import type { AddressInfo, Wallet } from '../../../managers/wallets/index.js';
import { SpecterError, isSpecterError } from '../../../errors/index.js';
import { openAnnotations, releaseAddress, reserveAddress } from '../../../extensions/address-reservation.js';
import { annotationFile } from '../../../extensions/storage/index.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import { formError, serviceView, walletNav, walletSettingsView, type ServiceView } from '../wallets-view.js';
import walletLabels from './wallet-labels.js';
import walletChain from './wallet-chain.js';
import walletSend from './wallet-send.js';

const PAGE_SIZES = [10, 25, 50, 100];
const SORTS = ['index', 'label', 'used'] as const;
type Sort = (typeof SORTS)[number];

/** The list's query with forgiving defaults (a hand-edited URL shows the first page, not an error). */
export const addressListQuery = z.object({
  change: z
    .enum(['0', '1'])
    .catch('0')
    .default('0')
    .transform((v): 0 | 1 => (v === '1' ? 1 : 0)),
  page: z.coerce.number().int().min(1).max(1e9).catch(1).default(1),
  size: z.coerce
    .number()
    .int()
    .refine((n) => PAGE_SIZES.includes(n))
    .catch(25)
    .default(25),
  sort: z.enum(SORTS).catch('index').default('index'),
  dir: z.enum(['asc', 'desc']).catch('asc').default('asc'),
});
export type AddressListQuery = z.infer<typeof addressListQuery>;

const walletParams = z.object({ wallet_alias: pathParam });
const addressParams = z.object({ wallet_alias: pathParam, address: pathParam });
const labelBody = formBody({ label: formText, next: formText });
const associateBody = formBody({ service_id: formText });
const receiveBody = formBody({ action: formText });
const confirmBody = formBody({ confirm: formText });

/** Derived addresses on a branch (the keypool); the list never derives new ones. */
function derivedCount(wallet: Wallet, change: 0 | 1): number {
  const r = wallet.toJSON();
  return change ? r.change_keypool : r.keypool;
}

/** One page of the list: index order reads only that page; label/used order comes from the wallet's cached order. */
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
  } else rows = wallet.sortedAddresses(q.change, q.sort, q.dir, start, q.size);
  return { rows, total, pages, page };
}

/** The address as an SVG QR code (the Receive tab and the address page draw the same one). */
function addressQr(address: string): Promise<string> {
  return QRCode.toString(address, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
}

/**
 * `/spc/wallets/:wallet_alias/…`: the wallet's tabs. The wallet is looked up in the current user's
 * wallet manager, so another user's alias is simply not found.
 */
export default async function walletPages(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { endpoints } = specter;
  const url = (name: string, alias: string, params: Record<string, string | number> = {}) =>
    endpoints.urlFor(`wallets_endpoint.${name}`, { wallet_alias: alias, ...params });
  const wallets = () => specter.walletManager;
  const walletOf = (request: { params: { wallet_alias: string } }) => wallets().get(request.params.wallet_alias);
  const on = (endpoint: string) => ({ access: 'user' as const, endpoint: `wallets_endpoint.${endpoint}` });

  const render = async (request: FastifyRequest, reply: FastifyReply, wallet: Wallet, tab: string, template: string, ctx: Record<string, unknown>) =>
    reply.render(template, { wallet_nav: await walletNav(specter, request, wallet, tab), ...ctx });

  app.get('/', { schema: { params: walletParams }, config: on('wallet') }, async (request, reply) =>
    reply.redirect(url('addresses', (await walletOf(request)).alias)),
  );

  // Addresses tab
  app.get('/addresses/', { schema: { params: walletParams, querystring: addressListQuery }, config: on('addresses') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const q = request.query;
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
  const renderAddress = async (
    request: FastifyRequest,
    reply: FastifyReply,
    wallet: Wallet,
    address: string,
    extra: Record<string, unknown> = {},
  ) => {
    const info = wallet.getAddressInfo(address);
    let annotations: Array<{ key: string; value: string }> = [];
    let annotationsError: string | null = null;
    if (info.serviceId) {
      try {
        const stored = (await openAnnotations(specter.walletsOf(request.user!), specter.store, wallet.alias, info.serviceId)).getAddrAnnotations(
          info.address,
        );
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
  app.get('/address/:address', { schema: { params: addressParams }, config: on('address') }, async (request, reply) =>
    renderAddress(request, reply, await walletOf(request), request.params.address),
  );

  app.post('/address/:address/label', { schema: { params: addressParams, body: labelBody }, config: on('address_label') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const address = request.params.address;
    const back = request.body.next === 'receive' ? url('receive', wallet.alias) : url('address', wallet.alias, { address });
    try {
      const info = await wallet.setLabel(address, request.body.label);
      await flash(request, `Label of ${info.change ? 'change' : 'receive'} address #${info.index} set to "${info.label}".`, 'success');
    } catch (err) {
      await flash(request, formError(err).message, 'error');
    }
    return reply.redirect(back);
  });

  app.post(
    '/address/:address/associate',
    { schema: { params: addressParams, body: associateBody }, config: on('address_associate') },
    async (request, reply) => {
      const wallet = await walletOf(request);
      const address = request.params.address;
      const serviceId = request.body.service_id;
      try {
        const ext = specter.services.activation.activeFor(request.user).find((e) => e.id === serviceId);
        if (!ext)
          throw new SpecterError('EXT_NOT_FOUND', `The plugin "${serviceId}" is not active for you.`, {
            hint: 'Pick one of your active plugins, or activate it in "Choose plugins".',
          });
        const scope = { id: ext.id, label: `Reserved for ${ext.manifest.name}`, wallets: specter.walletsOf(request.user!), store: specter.store };
        await reserveAddress(scope, wallet.alias, address);
        await flash(request, `Address associated with ${ext.manifest.name}.`, 'success');
      } catch (err) {
        await flash(request, formError(err).message, 'error');
      }
      return reply.redirect(url('address', wallet.alias, { address }));
    },
  );

  app.post('/address/:address/release', { schema: { params: addressParams }, config: on('address_release') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const address = request.params.address;
    const was = await releaseAddress(specter.walletsOf(request.user!), specter.store, wallet.alias, address);
    await flash(
      request,
      was ? `Address released from ${serviceView(specter, was).name}.` : 'The address was not associated with a plugin.',
      was ? 'success' : 'info',
    );
    return reply.redirect(url('address', wallet.alias, { address }));
  });

  // Receive tab
  app.get('/receive/', { schema: { params: walletParams }, config: on('receive') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const address = await wallet.currentReceiveAddress();
    const info = wallet.getAddressInfo(address);
    const qr = await addressQr(address);
    return render(request, reply, wallet, 'receive', 'wallets/receive.njk', { info, qr_svg: qr, label_value: info.customLabel ?? '' });
  });
  app.post('/receive/', { schema: { params: walletParams, body: receiveBody }, config: on('receive') }, async (request, reply) => {
    const wallet = await walletOf(request);
    if (request.body.action === 'newaddress') await wallet.getNewAddress();
    return reply.redirect(url('receive', wallet.alias));
  });

  // Settings tab
  app.get('/settings/', { schema: { params: walletParams }, config: on('settings') }, async (request, reply) => {
    const wallet = await walletOf(request);
    return render(request, reply, wallet, 'settings', 'wallets/settings.njk', await walletSettingsView(specter, wallet));
  });
  await scope.register(walletChain, {
    specter,
    render: (request, reply, wallet, tab, template, ctx) => render(request, reply, wallet, tab, template, ctx),
  });
  await scope.register(walletSend, {
    specter,
    render: (request, reply, wallet, tab, template, ctx) => render(request, reply, wallet, tab, template, ctx),
  });
  await scope.register(walletLabels, {
    specter,
    renderSettings: (request, reply, wallet, ctx) => render(request, reply, wallet, 'settings', 'wallets/settings.njk', ctx),
  });
  app.get('/backup.json', { schema: { params: walletParams }, config: on('backup') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const backup = await wallets().exportBackup(wallet.alias);
    return reply
      .header('content-disposition', `attachment; filename="${wallet.alias}-backup.json"`)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(backup, null, 2));
  });

  app.get('/delete', { schema: { params: walletParams }, config: on('delete_wallet') }, async (request, reply) => {
    const wallet = await walletOf(request);
    return render(request, reply, wallet, 'settings', 'wallets/delete.njk', {});
  });
  app.post('/delete', { schema: { params: walletParams, body: confirmBody }, config: on('delete_wallet') }, async (request, reply) => {
    const wallet = await walletOf(request);
    if (request.body.confirm !== 'yes') return reply.redirect(url('settings', wallet.alias));
    // Its watch-only wallet on the node is unloaded and its cached history dropped first.
    await specter.chain
      .forget(request.user!, wallet.alias)
      .catch((err: unknown) => specter.logger.warn({ err, wallet: wallet.alias }, 'could not unload the wallet on the node'));
    await wallets().remove(wallet.alias);
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
    const aliases = new Set((await wallets().list()).map((w) => w.alias));
    for (const ext of specter.extensionManager.extensions) {
      if (aliases.has(`${alias}_${ext.id}`)) continue;
      try {
        await specter.store.delete(annotationFile(wallets().walletsFolder, alias, ext.id));
      } catch (err) {
        specter.logger.warn({ err, wallet: alias, ext: ext.id }, 'could not remove an annotation file of a deleted wallet');
      }
    }
  }
}
