import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Specter } from '../../specter/index.js';
import { withTimeout, type Extension, type ExtensionTab } from '../../extensions/index.js';
import type { SettingsTab } from '../plugins/settings-tabs.js';
import { pluginRequest } from './plugin-request.js';

type Slot = 'head' | 'body_top' | 'body_bottom';
const HOOKS: Record<Slot, 'injectInBasejinjaHead' | 'injectInBasejinjaBodyTop' | 'injectInBasejinjaBodyBottom'> = {
  head: 'injectInBasejinjaHead',
  body_top: 'injectInBasejinjaBodyTop',
  body_bottom: 'injectInBasejinjaBodyBottom',
};
const SLOTS = Object.keys(HOOKS) as Slot[];

type InjectionHook = (view: { request: unknown; user: unknown }) => unknown;
const hooksByExtension = new WeakMap<Extension, ReadonlyArray<readonly [Slot, InjectionHook]>>();

/** The injection hooks an extension implements, looked up once (every page render asks). */
function injectionHooks(ext: Extension): ReadonlyArray<readonly [Slot, InjectionHook]> {
  let hooks = hooksByExtension.get(ext);
  if (!hooks) {
    hooks = SLOTS.flatMap((slot) => {
      const hook = ext[HOOKS[slot]] as InjectionHook | undefined;
      return typeof hook === 'function' ? [[slot, hook] as const] : [];
    });
    hooksByExtension.set(ext, hooks);
  }
  return hooks;
}

/** The URL of a file of the extension's static folder (its `icon` and `logo` are such paths). */
function staticFileUrl(specter: Specter, ext: Extension, file: string | undefined): string | null {
  if (!file) return null;
  try {
    return specter.endpoints.urlFor(`${ext.id}_endpoint.static`, { filename: file });
  } catch {
    return null;
  }
}

/** The icon URL of an extension (sidebar, Choose plugins, address rows). */
export function iconUrl(specter: Specter, ext: Extension): string | null {
  return staticFileUrl(specter, ext, ext.manifest.icon);
}

/** The logo URL of an extension: where Specter shows it, on the plugin's own pages (`ext_logo`). */
export function logoUrl(specter: Specter, ext: Extension): string | null {
  return staticFileUrl(specter, ext, ext.manifest.logo);
}

/** The extension's landing page: its `index` endpoint, if it has one. */
export function indexUrl(specter: Specter, ext: Extension): string | null {
  const endpoint = `${ext.id}_endpoint.index`;
  return specter.endpoints.has(endpoint) ? specter.endpoints.urlFor(endpoint) : null;
}

/**
 * Tabs from a collect callback (`add_settingstabs` / `add_wallettabs`), only from extensions active
 * for the user (Specter showed every loaded extension's tabs to everyone). Endpoint names are
 * relative to the extension's default blueprint, as in Specter.
 */
export async function extensionTabs(
  specter: Specter,
  request: FastifyRequest,
  callbackId: 'add_settingstabs' | 'add_wallettabs',
  params: Record<string, string> = {},
): Promise<SettingsTab[]> {
  const active = new Set(specter.services.activation.activeFor(request.user).map((e) => e.id));
  const results = (await specter.extensionManager.callbacks.executeWith({ filter: (ext) => active.has(ext.id) }, callbackId)) as Record<
    string,
    ExtensionTab[] | undefined
  >;
  const tabs: SettingsTab[] = [];
  for (const [extId, list] of Object.entries(results)) {
    if (!Array.isArray(list)) continue;
    for (const tab of list) {
      const endpoint = tab.endpoint.includes('.') ? tab.endpoint : `${extId}_endpoint.${tab.endpoint}`;
      try {
        tabs.push({ key: `${extId}:${tab.endpoint}`, title: tab.title, url: specter.endpoints.urlFor(endpoint, params) });
      } catch (err) {
        specter.logger.warn({ ext: extId, endpoint, err }, `extension "${extId}" returned a tab with an unknown endpoint`);
      }
    }
  }
  return tabs;
}

/**
 * Fills the layout's extension slots for every page: the sidebar's plugin entries (active and
 * visible) and base-page injections (active only). A throwing hook is logged and counted like a
 * callback, and its HTML skipped.
 */
export function registerExtensionContributions(app: FastifyInstance, specter: Specter): void {
  app.viewContributors.push(async (request, context, page) => {
    const user = request.user;
    const active = specter.services.activation.activeFor(user);
    const sidebar = context.sidebar as { plugins: unknown[]; choose_plugins_url?: string };
    sidebar.choose_plugins_url = specter.endpoints.urlFor('plugins_endpoint.choose');
    sidebar.plugins = active
      .filter((ext) => ext.manifest.visibleInSidebar)
      .map((ext) => ({ id: ext.id, name: ext.manifest.name, icon: iconUrl(specter, ext), url: indexUrl(specter, ext) }))
      .filter((p) => p.url);
    const inject = context.inject as Record<Slot, string[]>;
    // Plugins see the page's request as their handlers do, and the user as {id, name, isAdmin}.
    const view = active.some((ext) => injectionHooks(ext).length > 0)
      ? (() => {
          const r = pluginRequest(request);
          return { request: r, user: r.user };
        })()
      : undefined;
    for (const ext of active) {
      for (const [slot, hook] of injectionHooks(ext)) {
        try {
          const returned = hook.call(ext, view!);
          // A page hook gets the callback time limit too: a hanging one must not hold every page.
          const html =
            returned instanceof Promise
              ? await withTimeout(returned, specter.extensionManager.callbacks.timeoutMs, ext.id, `inject_in_basejinja_${slot}`)
              : returned;
          if (html) inject[slot].push(String(html));
        } catch (err) {
          specter.extensionManager.health.recordFailure(ext.id, `inject_in_basejinja_${slot}`, err);
          specter.logger.error({ ext: ext.id, err }, `extension "${ext.id}" failed to inject into the page`);
        }
      }
    }
    if (request.extension) {
      context.ext = request.extension;
      context.service = request.extension;
      context.ext_logo = logoUrl(specter, request.extension);
      // An extension's settings tab (rendered with `active_tab: '<id>:<endpoint>'`, extending
      // settings/base.njk) gets the same tab bar as the core settings pages.
      const settingsKey = `${request.extension.id}:`;
      if (typeof page.active_tab === 'string' && page.active_tab.startsWith(settingsKey) && !page.settings_tabs) {
        context.settings_tabs = await app.settingsTabs(request);
      }
    }
  });
  app.settingsTabProviders.push((request) => extensionTabs(specter, request, 'add_settingstabs'));
}
