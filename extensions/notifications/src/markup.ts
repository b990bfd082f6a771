/** The HTML the extension injects into every page of its users (the pages themselves are templates). */
import type { Notification } from './notification.js';

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Server-rendered, so it shows without JavaScript; the page script (`show()`) builds the same markup. */
export function toastHtml(n: Pick<Notification, 'id' | 'title' | 'body' | 'category'>): string {
  return (
    `<div class="spcn-toast spcn-${escapeHtml(n.category)}" role="status" data-id="${escapeHtml(n.id)}">` +
    `<div class="spcn-toast-text"><strong class="spcn-title">${escapeHtml(n.title)}</strong>${n.body ? `<p class="spcn-body">${escapeHtml(n.body)}</p>` : ''}</div>` +
    `<button type="button" class="spcn-close" aria-label="Dismiss">&times;</button></div>`
  );
}

export interface PageWidgets {
  /** `/spc/ext/notifications` */
  baseUrl: string;
  staticUrl(file: string): string;
  unread: number;
  toasts: readonly Notification[];
}

/** The bell (unread count) linking to the centre, the pending toasts, and the script that opens the event stream. */
export function pageWidgetsHtml({ baseUrl, staticUrl, unread, toasts }: PageWidgets): string {
  const centre = `${baseUrl}/`;
  const label = unread ? `Notifications: ${unread} unread` : 'Notifications';
  return [
    `<a class="spcn-bell" id="spcn-bell" href="${escapeHtml(centre)}" title="${escapeHtml(label)}" aria-label="${escapeHtml(label)}">`,
    `<img src="${escapeHtml(staticUrl('notifications/img/bell.svg'))}" alt="" width="22" height="22">`,
    `<span class="spcn-count" id="spcn-count"${unread ? '' : ' hidden'}>${unread}</span></a>`,
    `<div class="spcn-toasts" id="spcn-toasts" aria-live="polite">${toasts.map(toastHtml).join('')}</div>`,
    `<script src="${escapeHtml(staticUrl('notifications/js/notifications.js'))}" data-events-url="${escapeHtml(`${baseUrl}/events`)}"` +
      ` data-read-url="${escapeHtml(`${baseUrl}/__ID__/read`)}" defer></script>`,
  ].join('');
}
