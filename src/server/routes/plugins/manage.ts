import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SpecterError, isSpecterError } from '../../../errors/index.js';
import { describeCapability } from '../../../extensions/index.js';
import type { InstallResult } from '../../../extensions/install/index.js';
import { extensionDataInventory, pluginInstaller, type Specter } from '../../../specter/index.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';

/** Largest plugin tarball the page accepts: plugins are small; a bigger upload is refused before it is stored. */
const MAX_TARBALL_BYTES = 20 * 1024 * 1024;

const extParams = z.object({ extId: pathParam });
const uninstallBody = formBody({ confirm: formText, remove_data: formText });

/**
 * The admin's Plugins page, `/spc/plugins/installed`: what is installed in `<data>/plugins/`
 * (version, signer, capabilities), installing from an uploaded tarball or an npm package name,
 * updating, and uninstalling after a page that lists the plugin's data. Every change reconciles
 * the running app at once (no restart): the plugin appears in, or leaves, Choose plugins.
 */
export default async function manageArea(scope: FastifyInstance, { specter }: { specter: Specter }): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  // Only this scope takes multipart bodies; its fields (csrf_token among them) are in request.body.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: MAX_TARBALL_BYTES, files: 1, fields: 5 } });
  const manager = specter.extensionManager;
  const on = (endpoint: string) => ({ access: 'admin' as const, endpoint: `plugins_endpoint.${endpoint}` });
  const pageUrl = () => specter.endpoints.urlFor('plugins_endpoint.installed');

  const page = async (reply: FastifyReply, extra: { error?: string; package_name?: string; result?: unknown } = {}) => {
    const statuses = new Map(manager.statuses().map((s) => [s.id, s]));
    const installed = (await pluginInstaller(specter).list()).map((r) => {
      const status = statuses.get(r.id);
      const ext = manager.get(r.id);
      return {
        id: r.id,
        name: status?.name ?? r.id,
        package: r.packageName,
        version: r.version,
        spec: r.spec,
        installed_at: r.installedAt,
        signature: r.signer ? `signed by ${r.signer}` : 'unsigned',
        status: status?.status ?? 'unknown',
        reason: status?.status === 'loaded' ? '' : (status?.reason ?? ''),
        capabilities: (ext?.manifest.capabilities ?? []).map((cap) => ({ cap, text: describeCapability(cap) })),
      };
    });
    return reply.render('plugins/installed.njk', {
      installed,
      error: extra.error ?? null,
      package_name: extra.package_name ?? '',
      result: extra.result ?? null,
      max_mb: MAX_TARBALL_BYTES / 1024 / 1024,
    });
  };

  /** After an install or update: what it is, what it may do, where to switch it on. */
  const resultView = (result: InstallResult) => {
    const ext = manager.get(result.record.id);
    const status = manager.statuses().find((s) => s.id === result.record.id);
    return {
      action: result.action,
      id: result.record.id,
      name: ext?.manifest.name ?? result.record.id,
      version: result.record.version,
      previous: result.previous?.version ?? null,
      signature: result.record.signer ? `signed by ${result.record.signer}` : 'unsigned',
      status: status?.status ?? 'unknown',
      reason: status?.status === 'loaded' ? '' : (status?.reason ?? ''),
      capabilities: (ext?.manifest.capabilities ?? []).map((cap) => ({ cap, text: describeCapability(cap) })),
    };
  };

  app.get('/installed', { config: on('installed') }, async (_request, reply) => page(reply));

  // One form, two ways: a tarball file, or a package name from the registry.
  app.post('/install', { config: on('install') }, async (request, reply) => {
    const body = (request.body ?? {}) as { package?: unknown; tarball?: unknown };
    const name = typeof body.package === 'string' ? body.package.trim() : '';
    const upload = Buffer.isBuffer(body.tarball) && body.tarball.length > 0 ? body.tarball : undefined;
    let spec = name;
    let temp: string | undefined;
    try {
      if (!upload && !name) {
        throw new SpecterError('VALIDATION', 'Choose a plugin tarball (.tgz) or enter a package name.', { details: { field: 'package' } });
      }
      if (upload) {
        // npm takes a tarball by path; it is kept only for the install (the installer copies it).
        temp = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-upload-'));
        spec = path.join(temp, `upload-${randomBytes(6).toString('hex')}.tgz`);
        await fs.writeFile(spec, upload, { mode: 0o600 });
      }
      const result = await pluginInstaller(specter).install(spec);
      await manager.reconcile();
      return page(reply, { result: resultView(result) });
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      reply.code(err.status);
      return page(reply, { error: err.hint ? `${err.message} ${err.hint}` : err.message, package_name: name });
    } finally {
      if (temp) await fs.rm(temp, { recursive: true, force: true });
    }
  });

  app.post('/:extId/update', { schema: { params: extParams }, config: on('update') }, async (request, reply) => {
    try {
      const [result] = await pluginInstaller(specter).update(request.params.extId);
      await manager.reconcile();
      return page(reply, { ...(result && { result: resultView(result) }) });
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      reply.code(err.status);
      return page(reply, { error: err.hint ? `${err.message} ${err.hint}` : err.message });
    }
  });

  // Uninstall: a page that lists what goes, then the POST.
  const installedRecord = async (extId: string) => {
    const record = (await pluginInstaller(specter).list()).find((r) => r.id === extId);
    if (!record)
      throw new SpecterError('EXT_NOT_FOUND', `No installed plugin "${extId}".`, {
        hint: 'Built-in plugins cannot be uninstalled; switch them off instead.',
      });
    return record;
  };
  app.get('/:extId/uninstall', { schema: { params: extParams }, config: on('uninstall') }, async (request, reply) => {
    const record = await installedRecord(request.params.extId);
    const data = await extensionDataInventory(specter, record.id);
    return reply.render('plugins/uninstall.njk', {
      plugin: { id: record.id, name: manager.get(record.id)?.manifest.name ?? record.id, package: record.packageName, version: record.version },
      data,
      has_data: data.users.length > 0 || data.annotationFiles.length > 0 || data.folderFiles > 0,
    });
  });
  app.post('/:extId/uninstall', { schema: { params: extParams, body: uninstallBody }, config: on('uninstall') }, async (request, reply) => {
    const record = await installedRecord(request.params.extId);
    if (request.body.confirm !== 'yes') return reply.redirect(specter.endpoints.urlFor('plugins_endpoint.uninstall', { extId: record.id }));
    const removeData = request.body.remove_data === 'yes';
    const result = await pluginInstaller(specter).uninstall(record.id, { removeData });
    await manager.reconcile();
    await flash(
      request as FastifyRequest,
      `"${record.id}" (${record.packageName} ${record.version}) was uninstalled` +
        (removeData ? `, with its data (${result.removed.length} item${result.removed.length === 1 ? '' : 's'} removed).` : '; its data is kept.'),
      'success',
    );
    return reply.redirect(pageUrl());
  });
}
