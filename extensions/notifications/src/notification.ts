/** The notification record, the per-user settings, and how both are made valid. */
import { randomUUID } from 'node:crypto';

/** Notifications kept per user (memory and storage). */
export const MAX_NOTIFICATIONS = 50;
const MAX_TITLE = 300;
const MAX_BODY = 2000;
/** The flash categories. */
const CATEGORIES = new Set(['info', 'message', 'success', 'warning', 'error']);

export type NotificationSource = 'flash' | 'api';

export interface Notification {
  id: string;
  title: string;
  body: string;
  /** info, message, success, warning or error (the flash categories). */
  category: string;
  /** `flash`: a flash message taken over; `api`: create_and_show_notification. */
  source: NotificationSource;
  /** ISO 8601. */
  created: string;
  read: boolean;
  /** Still to be shown as a toast on the user's next page. */
  toast: boolean;
}

/** What the browser gets (event stream): everything but the server's toast bookkeeping. */
export type PublicNotification = Omit<Notification, 'toast'>;

export interface NotificationSettings {
  /** Flash messages show as toasts (else as the core's banner; both are kept in the centre). */
  flashToasts: boolean;
}

export const DEFAULT_SETTINGS: Readonly<NotificationSettings> = Object.freeze({ flashToasts: true });

export interface NewNotification {
  title: string;
  body?: string;
  category?: string;
  source: NotificationSource;
  /** Already seen (a flash shown as the core banner): not unread, no toast. */
  read?: boolean;
}

function clip(text: unknown, max: number): string {
  const s = String(text ?? '').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function category(value: unknown): string {
  return CATEGORIES.has(String(value)) ? String(value) : 'info';
}

export function createNotification(input: NewNotification): Notification {
  const read = input.read ?? false;
  return {
    id: randomUUID(),
    title: clip(input.title, MAX_TITLE) || '(untitled)',
    body: clip(input.body, MAX_BODY),
    category: category(input.category),
    source: input.source,
    created: new Date().toISOString(),
    read,
    toast: !read,
  };
}

export function toPublic(n: Notification): PublicNotification {
  const { toast: _toast, ...rest } = n;
  return rest;
}

/** Stored notifications as read back: malformed entries dropped, the rest with every field valid. */
export function parseStoredNotifications(value: unknown): Notification[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((v): v is Notification => {
      const n = v as Partial<Notification> | null;
      return !!n && typeof n === 'object' && typeof n.id === 'string' && typeof n.title === 'string' && typeof n.created === 'string';
    })
    .slice(-MAX_NOTIFICATIONS)
    .map((n) => ({
      ...n,
      body: String(n.body ?? ''),
      category: category(n.category),
      source: n.source === 'flash' ? 'flash' : 'api',
      read: Boolean(n.read),
      toast: Boolean(n.toast),
    }));
}

export function parseStoredSettings(value: unknown): NotificationSettings {
  const stored = (value ?? {}) as Partial<NotificationSettings>;
  return { flashToasts: typeof stored.flashToasts === 'boolean' ? stored.flashToasts : DEFAULT_SETTINGS.flashToasts };
}
