import { SpecterError, flash, isSpecterError, userSecretDecryptedRequired, type Blueprint, type ExtRequest } from 'specter-ts';
import type DevhelpExtension from './index.js';

/** A time for the templates' `datetime` filter (ISO string), or null for "—". */
export function isoDate(value: Date | string | null | undefined): string | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export type DataState = 'ok' | 'empty' | 'locked' | 'no-password' | 'error';

export interface DataRow {
  id: string;
  name: string;
  encrypted: boolean;
  active: boolean;
  state: DataState;
  /** Pretty-printed JSON of the decrypted data (state ok). */
  json?: string;
  keys?: number;
  message?: string;
}

function user(request: ExtRequest): NonNullable<ExtRequest['user']> {
  // Every /spc route needs a login; the gate has already checked the extension is active.
  if (!request.user) throw new SpecterError('AUTH_REQUIRED', 'Log in to use developer help.');
  return request.user;
}

/**
 * The devhelp blueprint, `/spc/ext/devhelp/…`. Five tabs: Extensions (the index), Callbacks, Jobs,
 * My data, Components; a JSON summary for the console helper; an admin-only re-enable action.
 */
export default function controller(bp: Blueprint, ext: DevhelpExtension): void {
  const services = ext.host.services;
  // Read per request: the manager joins the services only once every extension has loaded.
  const manager = () => services.extensions;
  /** Ids of the extensions active for the user (activated and not switched off). */
  const activeIdsOf = (me: NonNullable<ExtRequest['user']>) => new Set(services.activation.activeFor(services.users.get(me.id)).map((e) => e.id));

  bp.get('/', 'index', async (request, reply) => {
    const me = user(request);
    const active = activeIdsOf(me);
    const rows = manager()
      .statuses()
      .map((s) => ({
        ...s,
        tripped: s.tripped ? { at: isoDate(s.tripped.at), reason: s.tripped.reason } : null,
        active_for_me: s.id !== null && active.has(s.id),
      }));
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return reply.render('devhelp/extensions.njk', {
      active_section: 'extensions',
      rows,
      counts: Object.entries(counts).map(([status, count]) => ({ status, count })),
      threshold: ext.config.SERVICES_DEVSTATUS_THRESHOLD,
      is_admin: me.isAdmin,
    });
  });

  bp.post('/extensions/:extId/reenable', 'reenable', async (request, reply) => {
    const me = user(request);
    if (!me.isAdmin) throw new SpecterError('AUTH_FORBIDDEN', 'Only an admin can switch an extension back on.', { hint: 'Log in as an admin user.' });
    const { extId } = request.params as { extId: string };
    const reenabled = manager().reenable(extId);
    const name = manager().get(extId)?.manifest.name ?? extId;
    await flash(request, reenabled ? `"${name}" was switched back on.` : `"${name}" was not switched off.`, reenabled ? 'success' : 'info');
    return reply.redirect(`${ext.baseUrl}/`);
  });

  bp.get('/callbacks', 'callbacks', async (request, reply) => {
    const me = user(request);
    const m = manager();
    const callbacks = m.callbacks.list().map((def) => ({
      ...def,
      implemented_by: m.callbacks.handlersFor(def.id).map((e) => e.id),
    }));
    const errors = m.extensions
      .map((e) => ({
        id: e.id,
        name: e.manifest.name,
        errors: [...m.errors(e.id)]
          .reverse()
          .map((r) => ({ at: isoDate(r.at), where: r.where, message: r.message, stack: me.isAdmin ? r.stack : undefined })),
      }))
      .filter((e) => e.errors.length > 0);
    return reply.render('devhelp/callbacks.njk', { active_section: 'callbacks', callbacks, errors, is_admin: me.isAdmin });
  });

  bp.get('/jobs', 'jobs', async (_request, reply) => {
    const jobs = manager()
      .scheduler.list()
      .map((j) => ({
        ...j,
        nextRun: isoDate(j.nextRun),
        lastRun: isoDate(j.lastRun),
      }));
    return reply.render('devhelp/jobs.njk', { active_section: 'jobs', jobs });
  });

  bp.get('/data', 'data', async (request, reply) => {
    const me = user(request);
    const store = services.storage.forUser(me);
    const active = activeIdsOf(me);
    const rows: DataRow[] = [];
    for (const e of manager().extensions) {
      const row: DataRow = {
        id: e.id,
        name: e.manifest.name,
        encrypted: e.manifest.encryptData,
        active: active.has(e.id),
        state: 'empty',
      };
      try {
        const data = await store.get(e.id, e.manifest.encryptData);
        row.keys = Object.keys(data).length;
        if (row.keys > 0) {
          row.state = 'ok';
          row.json = JSON.stringify(data, null, 2);
        }
      } catch (err) {
        if (isSpecterError(err, 'USER_SECRET_LOCKED')) row.state = 'locked';
        else if (isSpecterError(err, 'USER_SECRET_UNAVAILABLE')) row.state = 'no-password';
        else {
          row.state = 'error';
          row.message = err instanceof Error ? err.message : String(err);
        }
      }
      rows.push(row);
    }
    return reply.render('devhelp/data.njk', {
      active_section: 'data',
      rows,
      any_locked: rows.some((r) => r.state === 'locked'),
      any_no_password: rows.some((r) => r.state === 'no-password'),
    });
  });

  // The seed's user_secret_decrypted_required: logs the user in again (and comes back to the
  // inspector) when the secret is locked; explains the missing password in auth mode "none".
  bp.get('/data/unlock', 'unlock', async (_request, reply) => reply.redirect(`${ext.baseUrl}/data`), { preHandler: userSecretDecryptedRequired });

  bp.get('/components', 'components', async (_request, reply) =>
    reply.render('devhelp/components.njk', {
      active_section: 'components',
      sample_tabs: [
        { key: 'one', title: 'First', url: '#tabs' },
        { key: 'two', title: 'Second', url: '#tabs' },
        { key: 'three', title: 'Third', url: '#tabs' },
      ],
      flash_categories: ['info', 'message', 'success', 'warning', 'error'],
    }),
  );

  // For the console helper (`specterDevhelp.extensions()`): a compact summary, no paths or stacks.
  bp.get('/info.json', 'info', async (request) => {
    user(request);
    const m = manager();
    return {
      version: ext.host.version,
      extensions: m.statuses().map((s) => ({
        id: s.id,
        name: s.name,
        version: s.version,
        source: s.source,
        devstatus: s.devstatus,
        status: s.status,
        tripped: Boolean(s.tripped),
        errorCount: s.errorCount,
      })),
      callbacks: m.callbacks.list().map((c) => ({ id: c.id, style: c.style, definedBy: c.definedBy })),
      jobs: m.scheduler.list().map((j) => ({ id: j.id, ext: j.ext, schedule: j.schedule, running: j.running, nextRun: j.nextRun })),
    };
  });
}
