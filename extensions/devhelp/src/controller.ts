import { SpecterError, type Blueprint, type ExtRequest } from 'specter-ts';
import type DevhelpExtension from './index.js';

function user(request: ExtRequest): NonNullable<ExtRequest['user']> {
  // Every /spc route needs a login; the gate has already checked the extension is active.
  if (!request.user) throw new SpecterError('AUTH_REQUIRED', 'Log in to use developer help.');
  return request.user;
}

/**
 * The devhelp blueprint, `/spc/ext/devhelp/…`. Four tabs: Extensions (the index), Callbacks, Jobs,
 * Components; a JSON summary for the console helper. Everything is read through `ctx.inspect`
 * (capability `extensions:inspect`): devhelp sees statuses, never another plugin's data. Re-enabling
 * a switched-off plugin and a user's own plugin data live in the core's "Choose plugins".
 */
export default function controller(bp: Blueprint, ext: DevhelpExtension): void {
  const inspect = ext.ctx.inspect;

  bp.get('/', 'index', async (request, reply) => {
    const me = user(request);
    const active = new Set(inspect.activeForCurrentUser());
    const rows = inspect.extensions().map((s) => ({ ...s, active_for_me: active.has(s.id) }));
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return reply.render('devhelp/extensions.njk', {
      active_section: 'extensions',
      rows,
      counts: Object.entries(counts).map(([status, count]) => ({ status, count })),
      threshold: ext.ctx.config.SERVICES_DEVSTATUS_THRESHOLD,
      is_admin: me.isAdmin,
    });
  });

  bp.get('/callbacks', 'callbacks', async (request, reply) => {
    const me = user(request);
    const callbacks = inspect.callbacks().map((def) => ({ ...def, implemented_by: def.implementedBy }));
    const errors = inspect
      .extensions()
      .map((e) => ({
        id: e.id,
        name: e.name,
        errors: inspect
          .errors(e.id)
          .reverse()
          .map((r) => ({ ...r, stack: me.isAdmin ? r.stack : undefined })),
      }))
      .filter((e) => e.errors.length > 0);
    return reply.render('devhelp/callbacks.njk', { active_section: 'callbacks', callbacks, errors, is_admin: me.isAdmin });
  });

  bp.get('/jobs', 'jobs', async (_request, reply) =>
    reply.render('devhelp/jobs.njk', { active_section: 'jobs', jobs: inspect.jobs().map((j) => ({ ...j, ext: j.extId })) }),
  );

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
    return {
      version: ext.ctx.version,
      extensions: inspect.extensions().map((s) => ({
        id: s.id,
        name: s.name,
        version: s.version,
        source: s.source,
        devstatus: s.devstatus,
        status: s.status,
        tripped: Boolean(s.tripped),
        errorCount: s.errorCount,
      })),
      callbacks: inspect.callbacks().map((c) => ({ id: c.id, style: c.style, definedBy: c.definedBy })),
      jobs: inspect.jobs().map((j) => ({ id: j.id, ext: j.extId, schedule: j.schedule, running: j.running, nextRun: j.nextRun })),
    };
  });
}
