import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AreaOptions } from '../index.js';
import { AUTH_METHODS } from '../../../managers/config/index.js';
import { planAuthSwitch, applyAuthSwitch } from '../../../specter/index.js';
import { SpecterError, isSpecterError } from '../../../errors/index.js';
import { flash } from '../../flash.js';
import { startSession } from '../../session-user.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import tokenSettings from './tokens.js';
import torSettings from './tor.js';
import priceSettings from './price.js';

const generalBody = formBody({ unit: z.enum(['btc', 'sat'], { error: 'Choose the unit btc or sat.' }) });
const authBody = formBody({
  action: formText,
  auth_method: formText,
  password_min_chars: formText,
  specter_password: formText,
  specter_password_confirm: formText,
  current_password: formText,
  new_password: formText,
  new_password_confirm: formText,
});
const confirmBody = formBody({ confirm: formText });
const newUserBody = formBody({ username: formText, password: formText, is_admin: formText });
const userParams = z.object({ userId: pathParam });

type AuthBody = z.infer<typeof authBody>;

/** `/spc/settings/`: general settings, authentication (admin), the user's password, users (admin). */
export default async function settingsArea(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const url = (name: string) => specter.endpoints.urlFor(`settings_endpoint.${name}`);
  const render = async (request: FastifyRequest, reply: FastifyReply, template: string, tab: string, ctx: Record<string, unknown> = {}) =>
    reply.render(template, { settings_tabs: await scope.settingsTabs(request), active_tab: tab, ...ctx });

  app.get('/', { config: { access: 'user' } }, async (_request, reply) => reply.redirect(url('general')));
  await scope.register(tokenSettings, { specter });
  await scope.register(torSettings, { specter });
  await scope.register(priceSettings, { specter });

  app.get('/general', { config: { access: 'user', endpoint: 'settings_endpoint.general' } }, async (request, reply) =>
    render(request, reply, 'settings/general.njk', 'general'),
  );
  app.post(
    '/general',
    { schema: { body: generalBody }, config: { access: 'admin', endpoint: 'settings_endpoint.general' } },
    async (request, reply) => {
      await specter.configManager.update({ unit: request.body.unit });
      await flash(request, 'Settings saved.', 'success');
      return reply.redirect(url('general'));
    },
  );

  app.get('/auth', { config: { access: 'user', endpoint: 'settings_endpoint.auth' } }, async (request, reply) =>
    render(request, reply, 'settings/auth.njk', 'auth', {
      auth_methods: AUTH_METHODS,
      users: request.user?.isAdmin ? specter.userManager.list().map((u) => ({ id: u.id, username: u.username, is_admin: u.isAdmin })) : [],
      password_min_chars: specter.configManager.passwordMinChars,
    }),
  );

  // One form posts both the user's own password change (any user) and the auth method (admin).
  app.post('/auth', { schema: { body: authBody }, config: { access: 'user', endpoint: 'settings_endpoint.auth' } }, async (request, reply) => {
    const body = request.body;
    if (body.action === 'change_password') return changeOwnPassword(request, reply, body);
    if (!request.user?.isAdmin)
      throw new SpecterError('AUTH_FORBIDDEN', 'Only an admin can change the authentication method.', { hint: 'Log in as an admin user.' });
    const method = AUTH_METHODS.find((m) => m === body.auth_method);
    if (!method) {
      throw new SpecterError('VALIDATION', `Authentication method "${body.auth_method}" is unknown.`, {
        hint: `Choose one of ${AUTH_METHODS.join(', ')}.`,
        details: { field: 'auth_method' },
      });
    }
    const minChars = body.password_min_chars === '' ? specter.configManager.passwordMinChars : Number(body.password_min_chars);
    if (!Number.isInteger(minChars) || minChars < 1 || minChars > 128) {
      throw new SpecterError('VALIDATION', 'Minimum password length must be a whole number from 1 to 128.', {
        details: { field: 'password_min_chars' },
      });
    }
    if (minChars !== specter.configManager.passwordMinChars) await specter.configManager.setAuth({ password_min_chars: minChars });
    if (method === specter.authMethod) {
      await flash(request, 'Authentication settings saved.', 'success');
      return reply.redirect(url('auth'));
    }
    if (method === 'none') return reply.redirect(`${url('auth_confirm')}?to=none`);
    try {
      if (specter.authMethod === 'none' && body.specter_password !== body.specter_password_confirm) {
        throw new SpecterError('USER_INVALID', 'The two passwords differ.', { hint: 'Type the same password twice.' });
      }
      await applyAuthSwitch(specter, method, { adminPassword: body.specter_password });
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
      return reply.redirect(url('auth'));
    }
    // The admin set the password just now: keep them logged in, with the secret unlocked.
    startSession(request, specter.userManager.admin);
    await flash(request, `Authentication is now "${method}".`, 'success');
    return reply.redirect(url('auth'));
  });

  async function changeOwnPassword(request: FastifyRequest, reply: FastifyReply, body: AuthBody) {
    const user = request.user!;
    const next = body.new_password;
    try {
      if (next.length < specter.configManager.passwordMinChars) {
        throw new SpecterError('USER_INVALID', `The password must have at least ${specter.configManager.passwordMinChars} characters.`);
      }
      if (next !== body.new_password_confirm)
        throw new SpecterError('USER_INVALID', 'The two passwords differ.', { hint: 'Type the same password twice.' });
      const ok = await specter.userManager.authenticate(user.id, body.current_password);
      if (!ok) throw new SpecterError('AUTH_FAILED', 'The current password is wrong.');
      await specter.userManager.setPassword(user.id, next);
      // Other sessions of this user end with the old password; this browser stays logged in.
      startSession(request, specter.userManager.require(user.id));
      await flash(request, 'Password changed.', 'success');
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
    }
    return reply.redirect(url('auth'));
  }

  app.get('/auth/confirm', { config: { access: 'admin', endpoint: 'settings_endpoint.auth_confirm' } }, async (request, reply) => {
    const plan = await planAuthSwitch(specter, 'none');
    return render(request, reply, 'settings/auth_confirm_none.njk', 'auth', { plan });
  });
  app.post(
    '/auth/confirm',
    { schema: { body: confirmBody }, config: { access: 'admin', endpoint: 'settings_endpoint.auth_confirm' } },
    async (request, reply) => {
      if (request.body.confirm !== 'yes') return reply.redirect(url('auth'));
      await applyAuthSwitch(specter, 'none');
      await flash(request, 'Authentication is now "none": passwords and encrypted extension data were removed.', 'warning');
      return reply.redirect(url('auth'));
    },
  );

  app.post('/users', { schema: { body: newUserBody }, config: { access: 'admin', endpoint: 'settings_endpoint.users' } }, async (request, reply) => {
    const body = request.body;
    try {
      if (body.password.length < specter.configManager.passwordMinChars) {
        throw new SpecterError('USER_INVALID', `The password must have at least ${specter.configManager.passwordMinChars} characters.`);
      }
      const user = await specter.userManager.addUser(body.username, body.password, body.is_admin === 'on');
      await flash(request, `User "${user.username}" added.`, 'success');
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
    }
    return reply.redirect(url('auth'));
  });
  app.post(
    '/users/:userId/delete',
    { schema: { params: userParams }, config: { access: 'admin', endpoint: 'settings_endpoint.delete_user' } },
    async (request, reply) => {
      const record = await specter.userManager.deleteUser(request.params.userId);
      // Specter left these files orphaned; a deleted user's plugin data goes with them.
      await specter.services.storage.deleteUserFiles(record);
      // So do their API tokens (a re-created name must not inherit them; start-up prunes leftovers).
      await specter.apiTokens.removeUser(record.id);
      await flash(request, `User "${record.username}" deleted.`, 'success');
      return reply.redirect(url('auth'));
    },
  );
}
