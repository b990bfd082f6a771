import type { ServerResponse } from 'node:http';
import { Extension, type ExtensionTab, type InjectionView, type PsbtCreatedEvent, type TransactionBroadcastEvent, type UserInfo } from 'specter-ts';
import { escapeHtml, pageWidgetsHtml } from './markup.js';
import { createNotification, toPublic, type NewNotification, type Notification, type NotificationSettings } from './notification.js';
import { NotificationStore, type StoredNotifications } from './store.js';
import { SseHub, sseEvent } from './sse-hub.js';

export { MAX_NOTIFICATIONS, type Notification, type NotificationSettings } from './notification.js';

/** The options of `create_and_show_notification(title, options)`. */
export interface NotifyOptions {
  body?: string;
  category?: string;
  /** The user to notify; default the current user (outside a request: the admin, as in Specter). */
  userId?: string;
}

/**
 * Notifications (the seed's notifications extension, alpha, not in the sidebar).
 *
 * - `callback_flash`: for users who activated it, a flash message becomes a notification and the
 *   core banner is skipped; the next page shows it as a toast (rendered server-side in the
 *   body-bottom injection, so it works without JavaScript).
 * - `callback_create_and_show_notification(title, {body, category, userId})`: any code can notify
 *   a user; open pages get it at once over server-sent events.
 * - Per user, the last {@link MAX_NOTIFICATIONS} live in memory and in the extension's
 *   unencrypted per-user data ({@link NotificationStore}); the open event streams are in an
 *   {@link SseHub}.
 */
export default class NotificationsExtension extends Extension<StoredNotifications> {
  readonly #store = new NotificationStore(this);
  readonly #streams = new SseHub();

  /** `/spc/ext/notifications` */
  get baseUrl(): string {
    return `${String(this.ctx.config.EXT_URL_PREFIX).replace(/\/+$/, '')}/${this.id}`;
  }

  staticUrl(file: string): string {
    return `${this.baseUrl}/static/${file}`;
  }

  isActiveFor(user: UserInfo | undefined): user is UserInfo {
    return !!user && this.ctx.activation.isActiveFor(user.id);
  }

  // ---- operations -------------------------------------------------------------------------

  async notify(user: UserInfo, input: NewNotification): Promise<Notification> {
    const notification = createNotification(input);
    await this.#store.add(user, notification);
    // A flash belongs to the page the user goes to next (the request that flashed redirects there).
    // Anything else pops up on the open pages at once; it waits for the next page too when none is
    // open, or when the user's own request made it (their current page is about to be replaced).
    const live = input.source === 'api' && !notification.read;
    const payload = { ...toPublic(notification), showToast: live, unread: this.unreadCount(user.id) };
    const delivered = this.#streams.send(user.id, 'notification', payload, notification.id);
    if (live && delivered > 0 && this.ctx.users.current()?.id !== user.id) notification.toast = false;
    await this.#store.save(user);
    return notification;
  }

  /** Newest first. */
  list(user: UserInfo): Promise<Notification[]> {
    return this.#store.list(user);
  }

  /** Unread notifications of a user whose notifications are loaded (any page of theirs loads them). */
  unreadCount(userId: string): number {
    return this.#store.unreadCount(userId);
  }

  /** False when the user has no such notification. */
  async markRead(user: UserInfo, id: string): Promise<boolean> {
    const found = await this.#store.markRead(user, id);
    if (found) this.#sendUnread(user);
    return found;
  }

  /** Resolves to how many were unread. */
  async markAllRead(user: UserInfo): Promise<number> {
    const count = await this.#store.markAllRead(user);
    this.#sendUnread(user);
    return count;
  }

  async clear(user: UserInfo): Promise<void> {
    await this.#store.clear(user);
    this.#sendUnread(user);
  }

  settings(user: UserInfo): Promise<NotificationSettings> {
    return this.#store.settings(user);
  }

  setSettings(user: UserInfo, settings: Partial<NotificationSettings>): Promise<NotificationSettings> {
    return this.#store.setSettings(user, settings);
  }

  /** Resolves once every pending write has reached storage (tests, shutdown). */
  flushed(): Promise<void> {
    return this.#store.flushed();
  }

  #sendUnread(user: UserInfo): void {
    this.#streams.send(user.id, 'unread', { unread: this.unreadCount(user.id) });
  }

  // ---- server-sent events -----------------------------------------------------------------

  /**
   * Streams `notification` (each new one) and `unread` (count changes) events to `res`, which the
   * route took over with `reply.hijack()`. The first event is the current unread count.
   */
  async openStream(user: UserInfo, res: ServerResponse): Promise<void> {
    await this.#store.ready(user);
    this.#streams.open(user.id, res, sseEvent('unread', { unread: this.unreadCount(user.id) }));
  }

  /** Open event streams, of all users or of one. */
  streamCount(userId?: string): number {
    return this.#streams.count(userId);
  }

  // ---- callbacks and hooks ----------------------------------------------------------------

  /**
   * Callbacks are not gated per user (Specter's rule), so this checks the current user itself.
   * Returns true when it took the message over (the core banner is then skipped).
   */
  override async callback_flash(message: string, category?: string): Promise<true | undefined> {
    const user = this.ctx.users.current();
    if (!this.isActiveFor(user)) return undefined;
    const { flashToasts } = await this.settings(user);
    // With toasts off, the core banner shows the message; the centre still keeps it (as read).
    await this.notify(user, { title: String(message), category: category ?? 'info', source: 'flash', read: !flashToasts });
    return flashToasts ? true : undefined;
  }

  /**
   * `callbacks.execute('create_and_show_notification', title, {body, category, userId})`.
   * Notifies the named user, else the current one, else (outside a request) the admin. Returns
   * the notification, or nothing when that user has not activated notifications.
   */
  override async callback_create_and_show_notification(title: string, options?: Record<string, unknown>): Promise<Notification | undefined> {
    const opts = (options ?? {}) as NotifyOptions;
    // Only users who activated notifications can be reached (ctx.users.list()): the others are ignored.
    const users = this.ctx.users.list();
    const user =
      opts.userId !== undefined ? users.find((u) => u.id === String(opts.userId)) : (this.ctx.users.current() ?? users.find((u) => u.isAdmin));
    if (!user) return undefined;
    if (!this.isActiveFor(user)) return undefined;
    return this.notify(user, { title: String(title ?? ''), body: String(opts.body ?? ''), category: String(opts.category ?? 'info'), source: 'api' });
  }

  /** The wallet's owner hears that a PSBT waits for signatures (the core fires this only for users who activated us). */
  override async callback_psbt_created(event: PsbtCreatedEvent): Promise<void> {
    const user = this.ctx.users.current(); // the core fires wallet events as the wallet's owner
    if (!this.isActiveFor(user) || user.id !== event.user) return;
    const title = event.replaces ? `Replacement PSBT created in wallet ${event.wallet}` : `PSBT created in wallet ${event.wallet}`;
    const to = event.recipients.map((r) => `${formatSats(r.amount)} to ${r.address ?? 'a script'}`).join(', ');
    await this.notify(user, {
      title,
      body: `${to || 'Back to the wallet'}; fee ${formatSats(event.fee)}. Sign it on the devices.`,
      category: 'info',
      source: 'api',
    });
  }

  override async callback_transaction_broadcast(event: TransactionBroadcastEvent): Promise<void> {
    const user = this.ctx.users.current(); // the core fires wallet events as the wallet's owner
    if (!this.isActiveFor(user) || user.id !== event.user) return;
    await this.notify(user, {
      title: `Transaction sent from wallet ${event.wallet}`,
      body: `${formatSats(event.amount)} plus a fee of ${formatSats(event.fee)}; txid ${event.txid}.`,
      category: 'success',
      source: 'api',
    });
  }

  override callback_add_settingstabs(): ExtensionTab[] {
    return [{ title: 'Notifications', endpoint: 'settings' }];
  }

  override injectInBasejinjaHead(): string {
    return `<link rel="stylesheet" href="${escapeHtml(this.staticUrl('notifications/css/notifications.css'))}">`;
  }

  /** The bell, the toasts still to show, and the script that opens the event stream. */
  override async injectInBasejinjaBodyBottom(view: InjectionView): Promise<string | undefined> {
    const user = view.user as UserInfo | undefined;
    if (!user) return undefined;
    const toasts = await this.#store.takeToasts(user);
    return pageWidgetsHtml({
      baseUrl: this.baseUrl,
      staticUrl: (file) => this.staticUrl(file),
      unread: this.unreadCount(user.id),
      toasts,
    });
  }

  /** Ends the open streams and waits for pending writes (the server is shutting down). */
  override async onStop(): Promise<void> {
    this.#streams.close();
    await this.flushed();
  }
}

/** Satoshis as the core's "amount" filter shows BTC (8 decimals), for a notification's text. */
function formatSats(sats: number): string {
  const sign = sats < 0 ? '−' : '';
  const abs = Math.abs(sats);
  return `${sign}${Math.floor(abs / 100_000_000)}.${String(abs % 100_000_000).padStart(8, '0')} BTC`;
}
