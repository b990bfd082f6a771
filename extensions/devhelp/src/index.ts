import { Extension, type InjectionView } from 'specter-ts';

/** Minimal HTML attribute escaping for values put into injected markup. */
export function escapeAttr(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

interface InjectedRequest {
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  extension?: { id?: string };
}

/**
 * Developer help (the seed's devhelp, alpha): pages that show what the extension framework knows
 * (registry, callbacks, jobs) and a gallery of the core UI
 * components. It adds a small console helper (`specterDevhelp` in the browser console) to every
 * page of the users who activated it. The manifest is in package.json.
 */
export default class DevhelpExtension extends Extension {
  /** `/spc/ext/devhelp` */
  get baseUrl(): string {
    return `${String(this.ctx.config.EXT_URL_PREFIX).replace(/\/+$/, '')}/${this.id}`;
  }

  staticUrl(file: string): string {
    return `${this.baseUrl}/static/${file}`;
  }

  /**
   * The console helper. Same-origin script (the CSP forbids inline ones); what it needs about the
   * page travels in data attributes. It only logs and reads: nothing on the page changes.
   */
  override injectInBasejinjaBodyBottom(view: InjectionView): string {
    const request = (view.request ?? {}) as InjectedRequest;
    const attrs: Record<string, unknown> = {
      'data-info-url': `${this.baseUrl}/info.json`,
      'data-method': request.method ?? '',
      'data-route': request.routeOptions?.url ?? '',
      'data-extension': request.extension?.id ?? '',
      'data-user': view.user?.name ?? '',
      'data-version': this.ctx.version,
    };
    const rendered = Object.entries(attrs)
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join('');
    return `<script src="${escapeAttr(this.staticUrl('devhelp/js/devhelp.js'))}"${rendered} defer></script>`;
  }
}
