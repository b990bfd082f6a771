import type { ExtensionContext, UserInfo } from 'specter-ts';
import { MAX_NOTIFICATIONS, parseStoredNotifications, parseStoredSettings, type Notification, type NotificationSettings } from './notification.js';

/** What the extension stores per user (unencrypted). */
export interface StoredNotifications {
  notifications: unknown;
  settings: unknown;
}

interface UserNotifications {
  /** Oldest first. */
  list: Notification[];
  settings: NotificationSettings;
}

/**
 * Each user's notifications and settings: read from the extension's unencrypted per-user data
 * (`{notifications, settings}`) on first use, then kept in memory. Every change is written back,
 * one write at a time per user, in order; a failed write is logged (memory stays right).
 */
export class NotificationStore {
  readonly #ctx: ExtensionContext<StoredNotifications>;
  /** Filled when a user's load finishes; what the synchronous readers see. */
  readonly #loaded = new Map<string, UserNotifications>();
  readonly #loads = new Map<string, Promise<UserNotifications>>();
  readonly #writes = new Map<string, Promise<void>>();

  constructor(ext: { readonly ctx: ExtensionContext<StoredNotifications> }) {
    this.#ctx = ext.ctx;
  }

  /** Loads the user's notifications (once); {@link unreadCount} sees them afterwards. */
  async ready(user: UserInfo): Promise<void> {
    await this.#load(user);
  }

  /** Newest first. */
  async list(user: UserInfo): Promise<Notification[]> {
    return [...(await this.#load(user)).list].reverse();
  }

  /** Unread notifications of a user whose notifications are loaded (0 before the first load). */
  unreadCount(userId: string): number {
    return this.#loaded.get(userId)?.list.filter((n) => !n.read).length ?? 0;
  }

  /** Adds one, dropping the oldest beyond {@link MAX_NOTIFICATIONS}. Saved by the caller. */
  async add(user: UserInfo, notification: Notification): Promise<void> {
    const { list } = await this.#load(user);
    list.push(notification);
    if (list.length > MAX_NOTIFICATIONS) list.splice(0, list.length - MAX_NOTIFICATIONS);
  }

  /** Marks one read (and not to be shown as a toast); false when there is no such notification. */
  async markRead(user: UserInfo, id: string): Promise<boolean> {
    const n = (await this.#load(user)).list.find((x) => x.id === id);
    if (!n) return false;
    if (!n.read || n.toast) {
      n.read = true;
      n.toast = false;
      await this.save(user);
    }
    return true;
  }

  /** Resolves to how many were unread. */
  async markAllRead(user: UserInfo): Promise<number> {
    const { list } = await this.#load(user);
    const count = list.filter((n) => !n.read).length;
    for (const n of list) {
      n.read = true;
      n.toast = false;
    }
    await this.save(user);
    return count;
  }

  async clear(user: UserInfo): Promise<void> {
    (await this.#load(user)).list = [];
    await this.save(user);
  }

  async settings(user: UserInfo): Promise<NotificationSettings> {
    return { ...(await this.#load(user)).settings };
  }

  async setSettings(user: UserInfo, settings: Partial<NotificationSettings>): Promise<NotificationSettings> {
    const state = await this.#load(user);
    if (typeof settings.flashToasts === 'boolean') state.settings.flashToasts = settings.flashToasts;
    await this.save(user);
    return { ...state.settings };
  }

  /**
   * The toasts still to show, marked as shown. The page is not kept waiting for that to be
   * saved: the write is queued like any other.
   */
  async takeToasts(user: UserInfo): Promise<Notification[]> {
    const pending = (await this.#load(user)).list.filter((n) => n.toast);
    if (pending.length) {
      for (const n of pending) n.toast = false;
      void this.save(user);
    }
    return pending;
  }

  /** Queues a write of the user's notifications and settings; resolves once it is done (or logged as failed). */
  save(user: UserInfo): Promise<void> {
    const previous = this.#writes.get(user.id) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const state = this.#loaded.get(user.id);
        if (!state) return;
        const data = { notifications: state.list, settings: { ...state.settings } };
        await this.#ctx.storage.forUser(user.id).update((current) => ({ ...current, ...data }));
      })
      .catch((err: unknown) => {
        this.#ctx.log.error({ err, user: user.id }, 'notifications: could not save the notifications');
      });
    this.#writes.set(user.id, next);
    void next.finally(() => {
      if (this.#writes.get(user.id) === next) this.#writes.delete(user.id);
    });
    return next;
  }

  /** Resolves once every queued write has reached storage (tests, shutdown). */
  async flushed(): Promise<void> {
    await Promise.all([...this.#writes.values()]);
  }

  /** Reads the user's data once; concurrent callers share that read. A failed read starts empty. */
  #load(user: UserInfo): Promise<UserNotifications> {
    let load = this.#loads.get(user.id);
    if (!load) {
      load = this.#read(user).then((state) => {
        this.#loaded.set(user.id, state);
        return state;
      });
      this.#loads.set(user.id, load);
    }
    return load;
  }

  async #read(user: UserInfo): Promise<UserNotifications> {
    let data: Partial<StoredNotifications> = {};
    try {
      data = await this.#ctx.storage.forUser(user.id).get();
    } catch (err) {
      this.#ctx.log.error({ err, user: user.id }, 'notifications: could not read the stored notifications; starting empty');
    }
    return { list: parseStoredNotifications(data.notifications), settings: parseStoredSettings(data.settings) };
  }
}
