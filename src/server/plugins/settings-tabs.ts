import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EndpointRegistry } from '../../extensions/index.js';

export interface SettingsTab {
  title: string;
  url: string;
  /** Stable key for the active-tab highlight. */
  key: string;
}

/** Extra tabs come from providers (the extension layer adds `add_settingstabs` results). */
export type SettingsTabProvider = (request: FastifyRequest) => SettingsTab[] | Promise<SettingsTab[]>;

declare module 'fastify' {
  interface FastifyInstance {
    settingsTabProviders: SettingsTabProvider[];
    /** The settings tab bar for a request (core tabs, then extension tabs). */
    settingsTabs(request: FastifyRequest): Promise<SettingsTab[]>;
  }
}

/** The settings tab bar, shared by the settings area and extension settings pages. */
async function settingsTabs(app: FastifyInstance, { endpoints }: { endpoints: EndpointRegistry }): Promise<void> {
  const providers: SettingsTabProvider[] = [];
  app.decorate('settingsTabProviders', providers);
  app.decorate('settingsTabs', async (request: FastifyRequest) => {
    const list: SettingsTab[] = [
      { key: 'general', title: 'General', url: endpoints.urlFor('settings_endpoint.general') },
      { key: 'auth', title: 'Authentication', url: endpoints.urlFor('settings_endpoint.auth') },
    ];
    for (const provide of providers) list.push(...(await provide(request)));
    return list;
  });
}

export default fp(settingsTabs, { name: 'settings-tabs', fastify: '5.x' });
