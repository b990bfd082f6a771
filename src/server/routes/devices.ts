/**
 * `/spc/devices/…`: the device list, "Add device" (name, type picker with every registered type
 * — extension types included — and pasted keys or a Coldcard/generic JSON export), and the device
 * page (keys table, add and remove keys, rename, delete). A refused form is shown again with the
 * error and what the user typed; the device manager validates everything before it writes, so
 * nothing is saved then.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from './index.js';
import type { Device } from '../../managers/devices/index.js';
import { flash } from '../flash.js';
import { SCRIPT_TYPE_NAMES, deviceSummary, field, formError, walletSummary } from './wallets-view.js';

const NETWORK_FAMILY: Record<string, string> = { main: 'Mainnet', test: 'Testnet / Signet / Regtest' };

export function registerDeviceRoutes(app: FastifyInstance, { specter, endpoints }: RouteDeps, prefix: string): void {
  const base = `${prefix}/devices`;
  endpoints.registerEndpoint('devices_endpoint.list', `${base}/`);
  endpoints.registerEndpoint('devices_endpoint.new_device', `${base}/new`);
  endpoints.registerEndpoint('devices_endpoint.device', `${base}/:device_alias/`);
  endpoints.registerEndpoint('devices_endpoint.add_keys', `${base}/:device_alias/keys`);
  endpoints.registerEndpoint('devices_endpoint.remove_key', `${base}/:device_alias/keys/remove`);
  endpoints.registerEndpoint('devices_endpoint.rename', `${base}/:device_alias/rename`);
  endpoints.registerEndpoint('devices_endpoint.delete', `${base}/:device_alias/delete`);
  const devices = specter.deviceManager;
  const deviceUrl = (alias: string) => endpoints.urlFor('devices_endpoint.device', { device_alias: alias });
  const aliasOf = (request: FastifyRequest) => (request.params as { device_alias: string }).device_alias;

  const types = () => devices.types.list().map((t) => ({ type: t.type, name: t.name, icon: t.icon }));

  app.get(base, async (_req, reply) => reply.redirect(`${base}/`));
  app.get(`${base}/`, async (_request, reply) => {
    const list = (await devices.list()).map((d) => deviceSummary(specter, d));
    return reply.render('devices/list.njk', { devices: list });
  });

  const renderNew = (reply: FastifyReply, values: Record<string, string>, error?: ReturnType<typeof formError>) => {
    if (error) reply.code(400);
    return reply.render('devices/new.njk', { types: types(), values, error });
  };
  app.get(`${base}/new`, async (request, reply) => {
    const type = field(request.query, 'type');
    return renderNew(reply, { name: '', type: devices.types.has(type) ? type : '', keys: '' });
  });
  app.post(`${base}/new`, async (request, reply) => {
    const values = { name: field(request.body, 'name'), type: field(request.body, 'type'), keys: field(request.body, 'keys') };
    let device: Device;
    try {
      device = await devices.create(values.name, values.type, values.keys);
    } catch (err) {
      return renderNew(reply, values, formError(err));
    }
    await flash(request, `Device "${device.name}" added with ${device.keys.length} key${device.keys.length === 1 ? '' : 's'}.`, 'success');
    return reply.redirect(deviceUrl(device.alias));
  });

  const renderDevice = async (reply: FastifyReply, device: Device, extra: Record<string, unknown> = {}) => {
    const wallets = (await specter.walletManager.list()).filter((w) => w.devices.includes(device.alias)).map((w) => walletSummary(specter, w));
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

  app.get(`${base}/:device_alias`, async (request, reply) => reply.redirect(deviceUrl(aliasOf(request))));
  app.get(`${base}/:device_alias/`, async (request, reply) => renderDevice(reply, await devices.get(aliasOf(request))));

  app.post(`${base}/:device_alias/keys`, async (request, reply) => {
    const device = await devices.get(aliasOf(request));
    const text = field(request.body, 'keys');
    try {
      const next = await devices.addKeys(device.alias, text);
      await flash(request, `${next.keys.length - device.keys.length} key(s) added to "${device.name}".`, 'success');
    } catch (err) {
      reply.code(400);
      return renderDevice(reply, device, { add_keys: text, keys_error: formError(err) });
    }
    return reply.redirect(deviceUrl(device.alias));
  });

  app.post(`${base}/:device_alias/keys/remove`, async (request, reply) => {
    const device = await devices.get(aliasOf(request));
    try {
      await devices.removeKey(device.alias, field(request.body, 'xpub'));
      await flash(request, `Key removed from "${device.name}".`, 'success');
    } catch (err) {
      await flash(request, formError(err).message, 'error');
    }
    return reply.redirect(deviceUrl(device.alias));
  });

  app.post(`${base}/:device_alias/rename`, async (request, reply) => {
    const device = await devices.get(aliasOf(request));
    const name = field(request.body, 'name');
    try {
      const next = await devices.rename(device.alias, name);
      await flash(request, `Device renamed to "${next.name}".`, 'success');
    } catch (err) {
      reply.code(400);
      return renderDevice(reply, device, { rename: name, rename_error: formError(err) });
    }
    return reply.redirect(deviceUrl(device.alias));
  });

  app.get(`${base}/:device_alias/delete`, async (request, reply) => {
    const device = await devices.get(aliasOf(request));
    const wallets = (await specter.walletManager.list()).filter((w) => w.devices.includes(device.alias)).map((w) => walletSummary(specter, w));
    return reply.render('devices/delete.njk', { device: deviceSummary(specter, device), wallets });
  });
  app.post(`${base}/:device_alias/delete`, async (request, reply) => {
    const device = await devices.get(aliasOf(request));
    if (field(request.body, 'confirm') !== 'yes') return reply.redirect(deviceUrl(device.alias));
    await devices.remove(device.alias);
    await flash(request, `Device "${device.name}" deleted. Wallets that used its keys keep their descriptors.`, 'success');
    return reply.redirect(`${base}/`);
  });
}
