import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from './index.js';
import { AUTH_METHODS, type AuthMethod } from '../../managers/config/index.js';
import { planAuthSwitch, applyAuthSwitch } from '../../specter/index.js';
import { SpecterError, isSpecterError } from '../../errors/index.js';
import { flash } from '../flash.js';
import { startSession } from '../session-user.js';
import { requireAdmin } from '../plugins/guards.js';

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

export function registerSettingsRoutes(app: FastifyInstance, { specter, endpoints }: RouteDeps, prefix: string): void {
  const base = `${prefix}/settings`;
  endpoints.registerEndpoint('settings_endpoint.general', `${base}/general`);
  endpoints.registerEndpoint('settings_endpoint.auth', `${base}/auth`);
  endpoints.registerEndpoint('settings_endpoint.auth_confirm', `${base}/auth/confirm`);
  endpoints.registerEndpoint('settings_endpoint.users', `${base}/users`);
  endpoints.registerEndpoint('settings_endpoint.delete_user', `${base}/users/:userId/delete`);
  app.decorate('settingsTabProviders', [] as SettingsTabProvider[]);

  async function tabs(request: FastifyRequest): Promise<SettingsTab[]> {
    const list: SettingsTab[] = [
      { key: 'general', title: 'General', url: endpoints.urlFor('settings_endpoint.general') },
      { key: 'auth', title: 'Authentication', url: endpoints.urlFor('settings_endpoint.auth') },
    ];
    for (const provide of app.settingsTabProviders) list.push(...(await provide(request)));
    return list;
  }
  app.decorate('settingsTabs', tabs);
  const render = async (request: FastifyRequest, reply: FastifyReply, template: string, tab: string, ctx: Record<string, unknown> = {}) =>
    reply.render(template, { settings_tabs: await tabs(request), active_tab: tab, ...ctx });

  app.get(`${base}`, async (_req, reply) => reply.redirect(`${base}/general`));
  app.get(`${base}/`, async (_req, reply) => reply.redirect(`${base}/general`));

  app.get(`${base}/general`, async (request, reply) => render(request, reply, 'settings/general.njk', 'general'));
  app.post(`${base}/general`, async (request, reply) => {
    requireAdmin(request);
    const body = (request.body ?? {}) as { unit?: string };
    if (body.unit !== 'btc' && body.unit !== 'sat') {
      throw new SpecterError('VALIDATION', `Unit "${body.unit}" is not supported.`, { hint: 'Choose btc or sat.' });
    }
    await specter.configManager.update({ unit: body.unit });
    await flash(request, 'Settings saved.', 'success');
    return reply.redirect(`${base}/general`);
  });

  app.get(`${base}/auth`, async (request, reply) => render(request, reply, 'settings/auth.njk', 'auth', {
    auth_methods: AUTH_METHODS,
    users: request.user?.isAdmin ? specter.userManager.list().map((u) => ({ id: u.id, username: u.username, is_admin: u.isAdmin })) : [],
    password_min_chars: specter.configManager.passwordMinChars,
  }));

  app.post(`${base}/auth`, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    if (body.action === 'change_password') return changeOwnPassword(request, reply, body);
    requireAdmin(request);
    const method = body.auth_method as AuthMethod;
    if (!AUTH_METHODS.includes(method)) {
      throw new SpecterError('VALIDATION', `Authentication method "${body.auth_method}" is unknown.`, { hint: `Choose one of ${AUTH_METHODS.join(', ')}.` });
    }
    const minChars = Number(body.password_min_chars ?? specter.configManager.passwordMinChars);
    if (!Number.isInteger(minChars) || minChars < 1 || minChars > 128) {
      throw new SpecterError('VALIDATION', 'Minimum password length must be a whole number from 1 to 128.');
    }
    if (minChars !== specter.configManager.passwordMinChars) await specter.configManager.setAuth({ password_min_chars: minChars });
    if (method === specter.authMethod) {
      await flash(request, 'Authentication settings saved.', 'success');
      return reply.redirect(`${base}/auth`);
    }
    if (method === 'none') return reply.redirect(`${base}/auth/confirm?to=none`);
    try {
      const password = body.specter_password ?? '';
      if (specter.authMethod === 'none' && password !== (body.specter_password_confirm ?? '')) {
        throw new SpecterError('USER_INVALID', 'The two passwords differ.', { hint: 'Type the same password twice.' });
      }
      await applyAuthSwitch(specter, method, { adminPassword: password });
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
      return reply.redirect(`${base}/auth`);
    }
    // The admin set the password just now: keep them logged in, with the secret unlocked.
    startSession(request, specter.userManager.admin);
    await flash(request, `Authentication is now "${method}".`, 'success');
    return reply.redirect(`${base}/auth`);
  });

  async function changeOwnPassword(request: FastifyRequest, reply: FastifyReply, body: Record<string, string | undefined>) {
    const user = request.user!;
    const next = body.new_password ?? '';
    try {
      if (next.length < specter.configManager.passwordMinChars) {
        throw new SpecterError('USER_INVALID', `The password must have at least ${specter.configManager.passwordMinChars} characters.`);
      }
      if (next !== body.new_password_confirm) throw new SpecterError('USER_INVALID', 'The two passwords differ.', { hint: 'Type the same password twice.' });
      const ok = await specter.userManager.authenticate(user.id, body.current_password ?? '');
      if (!ok) throw new SpecterError('AUTH_FAILED', 'The current password is wrong.');
      await specter.userManager.setPassword(user.id, next);
      // Other sessions of this user end with the old password; this browser stays logged in.
      startSession(request, specter.userManager.require(user.id));
      await flash(request, 'Password changed.', 'success');
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
    }
    return reply.redirect(`${base}/auth`);
  }

  app.get(`${base}/auth/confirm`, async (request, reply) => {
    requireAdmin(request);
    const plan = await planAuthSwitch(specter, 'none');
    return render(request, reply, 'settings/auth_confirm_none.njk', 'auth', { plan });
  });
  app.post(`${base}/auth/confirm`, async (request, reply) => {
    requireAdmin(request);
    if ((request.body as { confirm?: string } | undefined)?.confirm !== 'yes') return reply.redirect(`${base}/auth`);
    await applyAuthSwitch(specter, 'none');
    await flash(request, 'Authentication is now "none": passwords and encrypted extension data were removed.', 'warning');
    return reply.redirect(`${base}/auth`);
  });

  app.post(`${base}/users`, async (request, reply) => {
    requireAdmin(request);
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    try {
      const password = body.password ?? '';
      if (password.length < specter.configManager.passwordMinChars) {
        throw new SpecterError('USER_INVALID', `The password must have at least ${specter.configManager.passwordMinChars} characters.`);
      }
      const user = await specter.userManager.addUser(body.username ?? '', password, body.is_admin === 'on');
      await flash(request, `User "${user.username}" added.`, 'success');
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
    }
    return reply.redirect(`${base}/auth`);
  });
  app.post(`${base}/users/:userId/delete`, async (request, reply) => {
    requireAdmin(request);
    const { userId } = request.params as { userId: string };
    const record = await specter.userManager.deleteUser(userId);
    // Specter left these files orphaned; a deleted user's plugin data goes with them.
    await specter.services.storage.deleteUserFiles(record);
    // So do their API tokens (a re-created name must not inherit them; start-up prunes leftovers).
    await specter.apiTokens.removeUser(record.id);
    await flash(request, `User "${record.username}" deleted.`, 'success');
    return reply.redirect(`${base}/auth`);
  });
}
