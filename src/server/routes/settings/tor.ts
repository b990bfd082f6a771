/**
 * `/spc/settings/tor` (admin): Specter's Tor page — the type (none / built-in / custom) with its
 * fields, "only Tor", the daemon's status (running and reachable, or what is wrong), start/stop of
 * the built-in Tor, the onion service (address and QR), and the fee source. A refused form is
 * shown again with the error and what was typed; the control password is never sent back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import type { AreaOptions } from '../index.js';
import { SpecterError } from '../../../errors/index.js';
import { FEE_ESTIMATORS } from '../../../managers/psbt/index.js';
import { TOR_TYPES, torTypeOf } from '../../../tor/index.js';
import { flash } from '../../flash.js';
import { formBody, formText } from '../../schemas.js';
import { formError } from '../wallets-view.js';

const torBody = formBody({
  tor_type: formText,
  proxy_url: formText,
  tor_control_port: formText,
  tor_control_password: formText,
  tor_cookie_file: formText,
  tor_path: formText,
  only_tor: formText,
});
const actionBody = formBody({ action: formText });
const feeBody = formBody({ fee_estimator: formText, fee_estimator_custom_url: formText });

export default async function torSettings(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const tor = specter.tor;
  const url = () => specter.endpoints.urlFor('settings_endpoint.tor');
  scope.settingsTabProviders.push((request) => (request.user?.isAdmin ? [{ key: 'tor', title: 'Tor', url: url() }] : []));

  const currentValues = () => {
    const v = specter.configManager.values;
    return {
      tor_type: torTypeOf(v.tor_type),
      proxy_url: v.proxy_url,
      tor_control_port: String(v.tor_control_port),
      tor_cookie_file: v.tor_cookie_file,
      tor_path: v.tor_path,
      only_tor: v.only_tor,
      fee_estimator: v.fee_estimator,
      fee_estimator_custom_url: v.fee_estimator_custom_url,
    };
  };

  const render = async (request: FastifyRequest, reply: FastifyReply, ctx: Record<string, unknown> = {}) => {
    const status = await tor.status();
    const onion = status.onion_address;
    return reply.render('settings/tor.njk', {
      settings_tabs: await scope.settingsTabs(request),
      active_tab: 'tor',
      tor_types: TOR_TYPES,
      fee_estimators: FEE_ESTIMATORS,
      status,
      onion_url: onion ? `http://${onion}/` : null,
      onion_qr: onion ? await QRCode.toString(`http://${onion}/`, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }) : null,
      has_custom_password: (await tor.secrets.read('customPassword')) !== null,
      values: currentValues(),
      ...ctx,
    });
  };
  const on = { access: 'admin' as const, endpoint: 'settings_endpoint.tor' };

  app.get('/tor', { config: on }, async (request, reply) => render(request, reply));

  app.post('/tor', { schema: { body: torBody }, config: on }, async (request, reply) => {
    const body = request.body;
    // Everything typed comes back on a refused form, except the password.
    const { tor_control_password: _password, ...typed } = body;
    const values = { ...currentValues(), ...typed, only_tor: body.only_tor === 'on' };
    try {
      await tor.update({
        tor_type: body.tor_type,
        proxy_url: body.proxy_url,
        tor_control_port: body.tor_control_port,
        // An empty password field keeps the stored one (it is never shown again).
        ...(body.tor_control_password !== '' && { tor_control_password: body.tor_control_password }),
        tor_cookie_file: body.tor_cookie_file,
        tor_path: body.tor_path,
        only_tor: values.only_tor,
      });
      specter.feeSource.clear();
      await flash(request, 'Tor settings saved.', 'success');
      return reply.redirect(url());
    } catch (err) {
      const error = formError(err);
      reply.code(error.status);
      return render(request, reply, { values, error });
    }
  });

  // Start / stop the daemon, publish / remove the onion service, forget the custom control password.
  app.post(
    '/tor/action',
    { schema: { body: actionBody }, config: { access: 'admin', endpoint: 'settings_endpoint.tor_action' } },
    async (request, reply) => {
      try {
        switch (request.body.action) {
          case 'start':
            await tor.start();
            break;
          case 'stop':
            await tor.stop();
            break;
          case 'publish':
            await tor.setHiddenService(true);
            break;
          case 'unpublish':
            await tor.setHiddenService(false);
            break;
          case 'forget_password':
            await tor.secrets.remove('customPassword');
            break;
          default:
            throw new SpecterError('VALIDATION', `Action "${request.body.action}" is unknown.`, { details: { field: 'action' } });
        }
        return reply.redirect(url());
      } catch (err) {
        const error = formError(err);
        reply.code(error.status);
        return render(request, reply, { error });
      }
    },
  );

  app.post(
    '/tor/fees',
    { schema: { body: feeBody }, config: { access: 'admin', endpoint: 'settings_endpoint.fee_source' } },
    async (request, reply) => {
      const body = request.body;
      const values = { ...currentValues(), fee_estimator: body.fee_estimator, fee_estimator_custom_url: body.fee_estimator_custom_url.trim() };
      try {
        if (!(FEE_ESTIMATORS as readonly string[]).includes(values.fee_estimator)) {
          throw new SpecterError('VALIDATION', `Fee source "${values.fee_estimator}" is unknown.`, {
            hint: `Choose one of ${FEE_ESTIMATORS.join(', ')}.`,
            details: { field: 'fee_estimator' },
          });
        }
        if (values.fee_estimator === 'custom') {
          const parsed = URL.canParse(values.fee_estimator_custom_url) ? new URL(values.fee_estimator_custom_url) : null;
          if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
            throw new SpecterError('VALIDATION', 'The custom fee source needs an http(s) URL, e.g. http://mempool.local or an .onion address.', {
              details: { field: 'fee_estimator_custom_url' },
            });
          }
        }
        await specter.configManager.update({ fee_estimator: values.fee_estimator, fee_estimator_custom_url: values.fee_estimator_custom_url });
        specter.feeSource.clear();
        await flash(request, 'Fee source saved.', 'success');
        return reply.redirect(url());
      } catch (err) {
        const error = formError(err);
        reply.code(error.status);
        return render(request, reply, { values, fee_error: error });
      }
    },
  );
}
