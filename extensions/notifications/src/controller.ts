import { SpecterError, flash, type Blueprint, type ExtRequest } from 'specter-ts';
import { MAX_NOTIFICATIONS } from './notification.js';
import type NotificationsExtension from './index.js';

function user(request: ExtRequest): NonNullable<ExtRequest['user']> {
  if (!request.user) throw new SpecterError('AUTH_REQUIRED', 'Log in to see your notifications.');
  return request.user;
}

/** The page script's fetches ask for JSON; forms get a redirect. */
function wantsJson(request: ExtRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * `/spc/ext/notifications/…`: the notification centre (index), read/clear actions, the event
 * stream and the settings tab.
 */
export default function controller(bp: Blueprint, ext: NotificationsExtension): void {
  const centre = () => `${ext.baseUrl}/`;

  bp.get('/', 'index', async (request, reply) => {
    const list = await ext.list(user(request));
    return reply.render('notifications/index.njk', {
      notifications: list,
      unread: list.filter((n) => !n.read).length,
      max: MAX_NOTIFICATIONS,
    });
  });

  bp.post('/read-all', 'read_all', async (request, reply) => {
    const count = await ext.markAllRead(user(request));
    if (wantsJson(request)) return { ok: true, marked: count };
    return reply.redirect(centre());
  });

  bp.post('/clear', 'clear', async (request, reply) => {
    await ext.clear(user(request));
    if (wantsJson(request)) return { ok: true };
    return reply.redirect(centre());
  });

  // A test notification through the public callback, as any extension would send one.
  bp.post('/test', 'test', async (request, reply) => {
    await ext.ctx.callbacks.execute('create_and_show_notification', 'Test notification', {
      body: `Sent from the notification centre at ${new Date().toISOString().slice(11, 19)} UTC.`,
      category: 'info',
      userId: user(request).id,
    });
    return reply.redirect(centre());
  });

  // Server-sent events: one `notification` event per new notification, `unread` when counts change.
  bp.get('/events', 'events', async (request, reply) => {
    const me = user(request);
    reply.hijack();
    await ext.openStream(me, reply.raw);
  });

  // A settings tab: `active_tab` in the `<id>:<endpoint>` form gets the core's settings tab bar.
  bp.get('/settings', 'settings', async (request, reply) =>
    reply.render('notifications/settings.njk', {
      active_tab: `${ext.id}:settings`,
      notification_settings: await ext.settings(user(request)),
      max: MAX_NOTIFICATIONS,
    }),
  );

  bp.post('/settings', 'settings_post', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    await ext.setSettings(user(request), { flashToasts: body.flash_toasts === 'on' || body.flash_toasts === 'yes' });
    await flash(request, 'Notification settings saved.', 'success');
    return reply.redirect(`${ext.baseUrl}/settings`);
  });

  // The page script's dismiss button sends JSON; the centre's buttons are forms.
  bp.post('/:id/read', 'read', async (request, reply) => {
    const me = user(request);
    const { id } = request.params as { id: string };
    const found = await ext.markRead(me, id);
    if (wantsJson(request)) {
      if (!found) return reply.code(404).send({ ok: false });
      return { ok: true, unread: ext.unreadCount(me.id) };
    }
    return reply.redirect(centre());
  });
}
