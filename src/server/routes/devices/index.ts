/**
 * `/spc/devices/…`: the device list, "Add device" (name, type picker with every registered type
 * — extension types included — and pasted keys or a Coldcard/generic JSON export), and the device
 * page (keys table, add and remove keys, rename, delete). A refused form is shown again with the
 * error and what the user typed; the device manager validates everything before it writes, so
 * nothing is saved then.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AreaOptions } from '../index.js';
import type { Device } from '../../../managers/devices/index.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import { SCRIPT_TYPE_NAMES, deviceSummary, formError, walletSummary } from '../wallets-view.js';

const NETWORK_FAMILY: Record<string, string> = { main: 'Mainnet', test: 'Testnet / Signet / Regtest' };

const typeQuery = z.object({ type: z.string().optional() });
const deviceParams = z.object({ device_alias: pathParam });
const newDeviceBody = formBody({ name: formText, type: formText, keys: formText });
const keysBody = formBody({ keys: formText });
const removeKeyBody = formBody({ xpub: formText });
const renameBody = formBody({ name: formText });
const confirmBody = formBody({ confirm: formText });

/** `/spc/devices/`: the current user's devices. */
export default async function devicesArea(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const devices = () => specter.deviceManager;
  const deviceUrl = (alias: string) => specter.endpoints.urlFor('devices_endpoint.device', { device_alias: alias });
  const on = (endpoint: string) => ({ access: 'user' as const, endpoint: `devices_endpoint.${endpoint}` });
  const walletsUsing = async (device: Device) =>
    (await specter.walletManager.list()).filter((w) => w.devices.includes(device.alias)).map((w) => walletSummary(specter, w));

  const types = () =>
    devices()
      .types.list()
      .map((t) => ({ type: t.type, name: t.name, icon: t.icon }));

  app.get('/', { config: on('list') }, async (_request, reply) => {
    const list = (await devices().list()).map((d) => deviceSummary(specter, d));
    return reply.render('devices/list.njk', { devices: list });
  });

  const renderNew = (reply: FastifyReply, values: Record<string, string>, error?: ReturnType<typeof formError>) => {
    if (error) reply.code(error.status);
    return reply.render('devices/new.njk', { types: types(), values, error });
  };
  app.get('/new', { schema: { querystring: typeQuery }, config: on('new_device') }, async (request, reply) => {
    const type = request.query.type ?? '';
    return renderNew(reply, { name: '', type: devices().types.has(type) ? type : '', keys: '' });
  });
  app.post('/new', { schema: { body: newDeviceBody }, config: on('new_device') }, async (request, reply) => {
    const values = { name: request.body.name, type: request.body.type, keys: request.body.keys };
    let device: Device;
    try {
      device = await devices().create(values.name, values.type, values.keys);
    } catch (err) {
      return renderNew(reply, values, formError(err));
    }
    await flash(request, `Device "${device.name}" added with ${device.keys.length} key${device.keys.length === 1 ? '' : 's'}.`, 'success');
    return reply.redirect(deviceUrl(device.alias));
  });

  const renderDevice = async (reply: FastifyReply, device: Device, extra: Record<string, unknown> = {}) => {
    const wallets = await walletsUsing(device);
    const keys = device.keys.map((k) => ({
      fingerprint: k.originFingerprint,
      derivation: k.derivation,
      script_type: k.scriptType ? SCRIPT_TYPE_NAMES[k.scriptType] : null,
      network: NETWORK_FAMILY[k.network] ?? k.network,
      xpub: k.xpub,
      original: k.original,
    }));
    return reply.render('devices/device.njk', { device: deviceSummary(specter, device), keys, wallets, add_keys: '', rename: device.name, ...extra });
  };

  app.get('/:device_alias', { schema: { params: deviceParams }, config: { access: 'user' } }, async (request, reply) =>
    reply.redirect(deviceUrl(request.params.device_alias)),
  );
  app.get('/:device_alias/', { schema: { params: deviceParams }, config: on('device') }, async (request, reply) =>
    renderDevice(reply, await devices().get(request.params.device_alias)),
  );

  app.post('/:device_alias/keys', { schema: { params: deviceParams, body: keysBody }, config: on('add_keys') }, async (request, reply) => {
    const device = await devices().get(request.params.device_alias);
    const text = request.body.keys;
    try {
      const next = await devices().addKeys(device.alias, text);
      await flash(request, `${next.keys.length - device.keys.length} key(s) added to "${device.name}".`, 'success');
    } catch (err) {
      const error = formError(err);
      reply.code(error.status);
      return renderDevice(reply, device, { add_keys: text, keys_error: error });
    }
    return reply.redirect(deviceUrl(device.alias));
  });

  app.post(
    '/:device_alias/keys/remove',
    { schema: { params: deviceParams, body: removeKeyBody }, config: on('remove_key') },
    async (request, reply) => {
      const device = await devices().get(request.params.device_alias);
      try {
        await devices().removeKey(device.alias, request.body.xpub);
        await flash(request, `Key removed from "${device.name}".`, 'success');
      } catch (err) {
        await flash(request, formError(err).message, 'error');
      }
      return reply.redirect(deviceUrl(device.alias));
    },
  );

  app.post('/:device_alias/rename', { schema: { params: deviceParams, body: renameBody }, config: on('rename') }, async (request, reply) => {
    const device = await devices().get(request.params.device_alias);
    const name = request.body.name;
    try {
      const next = await devices().rename(device.alias, name);
      await flash(request, `Device renamed to "${next.name}".`, 'success');
    } catch (err) {
      const error = formError(err);
      reply.code(error.status);
      return renderDevice(reply, device, { rename: name, rename_error: error });
    }
    return reply.redirect(deviceUrl(device.alias));
  });

  app.get('/:device_alias/delete', { schema: { params: deviceParams }, config: on('delete') }, async (request, reply) => {
    const device = await devices().get(request.params.device_alias);
    return reply.render('devices/delete.njk', { device: deviceSummary(specter, device), wallets: await walletsUsing(device) });
  });
  app.post('/:device_alias/delete', { schema: { params: deviceParams, body: confirmBody }, config: on('delete') }, async (request, reply) => {
    const device = await devices().get(request.params.device_alias);
    if (request.body.confirm !== 'yes') return reply.redirect(deviceUrl(device.alias));
    await devices().remove(device.alias);
    await flash(request, `Device "${device.name}" deleted. Wallets that used its keys keep their descriptors.`, 'success');
    return reply.redirect(specter.endpoints.urlFor('devices_endpoint.list'));
  });
}
