import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userExtensionFiles, type Specter } from '../../../specter/index.js';
import type { User } from '../../../managers/users/index.js';
import type { AreaOptions } from '../index.js';
import type { WalletRef } from '../../../extensions/storage/index.js';
import { SpecterError } from '../../../errors/index.js';
import { canDeactivate, describeCapability, type Devstatus } from '../../../extensions/index.js';
import { unreserveAddresses } from '../../../extensions/address-reservation.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import { iconUrl, indexUrl } from '../../extensions/contributions.js';
import { DEVSTATUS_WORDS, statusWords } from '../../extensions/status-words.js';
import manageArea from './manage.js';

const GROUPS: Array<{ devstatus: Devstatus; title: string }> = [
  { devstatus: 'prod', title: 'Plugins in production' },
  { devstatus: 'beta', title: 'Plugins in beta (testing)' },
  { devstatus: 'alpha', title: 'Plugins in alpha (early testing)' },
];

/**
 * `/spc/plugins/…`: "Choose plugins" (cards grouped by devstatus, activate/deactivate per user),
 * and the admin's overview of every extension with its status and a "re-enable" action for
 * extensions switched off after repeated errors.
 */
const extParams = z.object({ extId: pathParam });
const confirmBody = formBody({ confirm: formText });
const deactivateBody = formBody({ release: formText });

/**
 * `/spc/plugins/…`: "Choose plugins" (cards grouped by devstatus, activate/deactivate per user),
 * and the admin's overview of every extension with its status and a "re-enable" action for
 * extensions switched off after repeated errors.
 */
export default async function pluginsArea(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  await scope.register(manageArea, { specter });
  const manager = specter.extensionManager;
  const chooseUrl = () => specter.endpoints.urlFor('plugins_endpoint.choose');
  const on = (endpoint: string, access: 'user' | 'admin' = 'user') => ({ access, endpoint: `plugins_endpoint.${endpoint}` });

  app.get('/', { config: { access: 'user' } }, async (_request, reply) => reply.redirect(chooseUrl()));
  app.get('/choose', { config: on('choose') }, async (request, reply) => {
    const user = request.user!;
    const rows = new Map(manager.statuses().map((s) => [s.id, s]));
    // Grafana's trust line: built in, signed by a key in trusted_keys, or unsigned.
    const signature = (id: string) => {
      const row = rows.get(id);
      return row?.source === 'builtin' ? 'built in' : row?.signer ? `signed by ${row.signer}` : 'unsigned';
    };
    const activation = specter.services.activation;
    const cards: Array<Record<string, unknown> & { devstatus: Devstatus }> = [];
    // The UI order is Specter's: ascending sort_priority (callbacks run in the other order), then name.
    const ordered = [...manager.extensions].sort(
      (a, b) => a.manifest.sortPriority - b.manifest.sortPriority || a.manifest.name.localeCompare(b.manifest.name),
    );
    for (const ext of ordered) {
      cards.push({
        id: ext.id,
        name: ext.manifest.name,
        desc: ext.manifest.desc,
        devstatus: ext.manifest.devstatus,
        devstatus_text: DEVSTATUS_WORDS[ext.manifest.devstatus],
        icon: iconUrl(specter, ext),
        url: indexUrl(specter, ext),
        active: user.hasService(ext.id),
        mandatory: !canDeactivate({ id: ext.id, optionality: ext.manifest.optionality }),
        encrypt_data: ext.manifest.encryptData,
        isolated: ext.manifest.isolatedClient,
        tripped: manager.health.tripInfo(ext.id) ?? null,
        signature: signature(ext.id),
        blocker: user.hasService(ext.id) ? null : activation.activationBlocker(ext),
        capabilities: ext.manifest.capabilities.map((cap) => ({ cap, text: describeCapability(cap) })),
        // Deactivating offers to release what it reserved, so the Receive tab can hand it out again.
        reserved: user.hasService(ext.id) ? await reservedAddresses(specter, user, ext.id) : [],
      });
    }
    const groups = GROUPS.map((g) => ({ ...g, cards: cards.filter((c) => c.devstatus === g.devstatus) })).filter((g) => g.cards.length);
    const threshold = specter.config.SERVICES_DEVSTATUS_THRESHOLD as Devstatus;
    const statuses = user.isAdmin
      ? manager
          .statuses()
          .filter((s) => s.status !== 'loaded' || s.tripped)
          .map((s) => ({ ...s, ...statusWords(s, threshold) }))
      : [];
    // The admin's on/off switch for every plugin found (immediate: no restart).
    const switches = user.isAdmin
      ? manager
          .statuses()
          .filter((s): s is typeof s & { id: string } => s.id !== null)
          .map((s) => ({
            id: s.id,
            name: s.name,
            version: s.version,
            source: s.source,
            on: !manager.isDisabled(s.id),
            status_text: statusWords(s, threshold).status_text,
            tripped: s.tripped,
          }))
      : [];
    return reply.render('plugins/choose.njk', { groups, statuses, switches, needs_password: specter.authMethod === 'none' });
  });

  const setActive = async (request: { params: { extId: string }; user: User | undefined }, active: boolean) => {
    const { extId } = request.params;
    const ext = manager.get(extId);
    if (!ext) throw new SpecterError('EXT_NOT_FOUND', `No loaded plugin "${extId}".`);
    await specter.services.activation.setActive(request.user!, extId, active);
    return ext;
  };
  app.post('/:extId/activate', { schema: { params: extParams }, config: on('activate') }, async (request, reply) => {
    const ext = await setActive(request, true);
    await flash(request, `"${ext.manifest.name}" is now active.`, 'success');
    return reply.redirect(chooseUrl());
  });
  app.post('/:extId/deactivate', { schema: { params: extParams, body: deactivateBody }, config: on('deactivate') }, async (request, reply) => {
    const ext = await setActive(request, false);
    let released = 0;
    if (request.body.release === 'yes') {
      const user = request.user!;
      const scope = { id: ext.id, wallets: specter.walletsOf(user), store: specter.store };
      for (const w of await reservedAddresses(specter, user, ext.id)) released += (await unreserveAddresses(scope, w.alias)).length;
    }
    await flash(
      request,
      `"${ext.manifest.name}" was deactivated; its data is kept` +
        (released ? `, and its ${released} reserved address${released === 1 ? ' was' : 'es were'} released.` : '.'),
      'success',
    );
    return reply.redirect(chooseUrl());
  });
  app.post('/:extId/reenable', { schema: { params: extParams }, config: on('reenable', 'admin') }, async (request, reply) => {
    const { extId } = request.params;
    manager.reenable(extId);
    await flash(request, `"${manager.get(extId)?.manifest.name ?? extId}" was switched back on.`, 'success');
    return reply.redirect(chooseUrl());
  });

  // Admin: switch a plugin off for everyone, or on again. Takes effect at once (its routes, jobs,
  // callbacks and pages go or come back) and is remembered in config.json.
  app.post('/:extId/disable', { schema: { params: extParams }, config: on('disable', 'admin') }, async (request, reply) => {
    const { extId } = request.params;
    const name = manager.statuses().find((s) => s.id === extId)?.name ?? extId;
    const change = await manager.disable(extId);
    const others = change.removed.filter((e) => e.id !== extId).map((e) => `"${e.manifest.name}"`);
    await flash(
      request,
      `"${name}" is switched off for everyone${others.length ? `; ${others.join(', ')} needed it and stopped too` : ''}.`,
      'success',
    );
    return reply.redirect(`${chooseUrl()}#plugin-admin-${extId}`);
  });
  app.post('/:extId/enable', { schema: { params: extParams }, config: on('enable', 'admin') }, async (request, reply) => {
    const { extId } = request.params;
    await manager.enable(extId);
    const status = manager.statuses().find((s) => s.id === extId);
    if (status?.status === 'loaded') await flash(request, `"${status.name}" is switched on.`, 'success');
    else await flash(request, `"${status?.name ?? extId}" is switched on but did not load: ${status?.reason ?? 'see the log'}`, 'warning');
    return reply.redirect(`${chooseUrl()}#plugin-admin-${extId}`);
  });

  // "Remove and delete data": a confirmation page naming what goes, then the POST that
  // deactivates the extension for this user and purges the user's data of it. Deactivating alone
  // keeps the data (above). Other users' data of the extension is not touched.
  const purgeTarget = (extId: string) => {
    const ext = manager.get(extId);
    if (!ext) throw new SpecterError('EXT_NOT_FOUND', `No loaded plugin "${extId}".`);
    if (!canDeactivate({ id: ext.id, optionality: ext.manifest.optionality })) {
      throw new SpecterError('VALIDATION', `"${ext.manifest.name}" is mandatory: it cannot be removed, so its data stays.`, {
        hint: 'Mandatory plugins are active for every user.',
        details: { ext: ext.id },
      });
    }
    return ext;
  };
  app.get('/:extId/purge', { schema: { params: extParams }, config: on('purge') }, async (request, reply) => {
    const ext = purgeTarget(request.params.extId);
    const plan = await planPurge(specter, request.user!, ext.id);
    return reply.render('plugins/choose.njk', {
      purge: { id: ext.id, name: ext.manifest.name, encrypt_data: ext.manifest.encryptData, active: request.user!.hasService(ext.id), ...plan },
    });
  });
  app.post('/:extId/purge', { schema: { params: extParams, body: confirmBody }, config: on('purge') }, async (request, reply) => {
    const ext = purgeTarget(request.params.extId);
    if (request.body.confirm !== 'yes') return reply.redirect(specter.endpoints.urlFor('plugins_endpoint.purge', { extId: ext.id }));
    const user = request.user!;
    // Deactivate first: should the purge then fail on a damaged file, the extension is already
    // off for the user and the error names the files; purging again finishes the job.
    await specter.services.activation.setActive(user, ext.id, false);
    const report = await specter.services.storage.purgeExtension(ext.id, [user], await walletRefs(specter));
    const removed = report.entriesRemovedFrom.length + report.annotationFilesDeleted.length;
    await flash(
      request,
      `"${ext.manifest.name}" was removed and its data deleted` +
        (removed ? ` (${removed} file${removed === 1 ? '' : 's'} changed).` : ' (it had none stored).'),
      'success',
    );
    return reply.redirect(chooseUrl());
  });
}

/** The user's wallets where the extension holds unused reserved addresses, with how many. */
async function reservedAddresses(specter: Specter, user: User, extId: string): Promise<Array<{ alias: string; name: string; count: number }>> {
  const out = [];
  for (const wallet of await specter.walletsOf(user).list()) {
    const count = wallet.getAssociatedAddresses(extId, true).length;
    if (count) out.push({ alias: wallet.alias, name: wallet.name, count });
  }
  return out;
}

/** Every wallet's annotation location (the wallet manager keeps all wallets in one folder). */
async function walletRefs(specter: Specter): Promise<WalletRef[]> {
  const { walletsFolder } = specter.walletManager;
  return (await specter.walletManager.list()).map((w) => ({ walletsFolder, alias: w.alias }));
}

/**
 * What "Remove and delete data" will delete for this user: the service files holding an entry of
 * the extension and the extension's annotation files, by file name. Nothing is decrypted (an
 * entry's presence is visible without the key). A file that cannot be read is listed anyway: the
 * purge will try it and report it if it still fails.
 */
async function planPurge(specter: Specter, user: User, extId: string): Promise<{ files: string[]; annotation_files: string[] }> {
  const found = await userExtensionFiles(specter, user, extId);
  return { files: found.serviceFiles.map((f) => path.basename(f)), annotation_files: found.annotationFiles.map((f) => path.basename(f)) };
}
