/**
 * `/spc/settings/price` (admin): Settings → Price — on/off, the provider (from the plugins'
 * `price_providers`, or the manual rate), the currency and the manual rate, and each provider's
 * last success and last error. Saving never fetches on the request: it asks the price service to
 * check soon. A refused form comes back with the error and what was typed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AreaOptions } from '../index.js';
import { SpecterError } from '../../../errors/index.js';
import type { PriceProviderInfo } from '../../../managers/price/index.js';
import { flash } from '../../flash.js';
import { formBody, formText } from '../../schemas.js';
import { formError } from '../wallets-view.js';

const priceBody = formBody({ price_check: formText, price_provider: formText, price_currency: formText, alt_rate: formText });

interface PriceForm {
  price_check: boolean;
  price_provider: string;
  price_currency: string;
  alt_rate: string;
}

function invalid(message: string, field: string, hint?: string): SpecterError {
  return new SpecterError('VALIDATION', message, { ...(hint && { hint }), details: { field } });
}

/** The settings a form asks for, checked against the providers on offer; throws VALIDATION naming the field. */
export function checkPriceForm(form: PriceForm, providers: PriceProviderInfo[]): { provider: string; currency: string; manualRate: number | null } {
  const currency = form.price_currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw invalid(`"${form.price_currency}" is not a currency code.`, 'price_currency', 'Type a three-letter ISO 4217 code such as USD, EUR or GBP.');
  }
  const provider = form.price_provider.trim();
  if (provider === '') {
    const text = form.alt_rate.trim().replace(/,/g, '');
    const rate = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!(rate > 0) || !Number.isFinite(rate)) {
      throw invalid(
        `The manual rate "${form.alt_rate}" is not a price above zero.`,
        'alt_rate',
        `Type the price of 1 BTC in ${currency}, e.g. 65000.`,
      );
    }
    return { provider, currency, manualRate: rate };
  }
  const offered = providers.find((p) => p.id === provider);
  if (!offered) {
    throw invalid(
      `No enabled plugin offers the price provider "${provider}".`,
      'price_provider',
      'Choose one of the providers listed, or the manual rate.',
    );
  }
  if (!offered.currencies.includes(currency)) {
    throw invalid(
      `${offered.name} does not offer prices in ${currency}.`,
      'price_currency',
      `${offered.name} offers ${offered.currencies.join(', ')}.`,
    );
  }
  return { provider, currency, manualRate: null };
}

export default async function priceSettings(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const prices = specter.prices;
  const url = () => specter.endpoints.urlFor('settings_endpoint.price');
  scope.settingsTabProviders.push((request) => (request.user?.isAdmin ? [{ key: 'price', title: 'Price', url: url() }] : []));

  const currentValues = (): PriceForm => {
    const v = specter.configManager.values;
    return { price_check: v.price_check, price_provider: v.price_provider, price_currency: v.price_currency, alt_rate: String(v.alt_rate) };
  };

  const render = async (request: FastifyRequest, reply: FastifyReply, ctx: Record<string, unknown> = {}) => {
    const status = await prices.status();
    return reply.render('settings/price.njk', {
      settings_tabs: await scope.settingsTabs(request),
      active_tab: 'price',
      // A provider whose plugin is gone has no row below: say so above the form.
      status: { ...status, selectedOffered: status.providers.some((p) => p.id === status.provider) },
      values: currentValues(),
      ...ctx,
    });
  };
  const on = { access: 'admin' as const, endpoint: 'settings_endpoint.price' };

  app.get('/price', { config: on }, async (request, reply) => render(request, reply));

  app.post('/price', { schema: { body: priceBody }, config: on }, async (request, reply) => {
    const body = request.body;
    const values: PriceForm = { ...body, price_check: body.price_check === 'on' };
    try {
      const checked = checkPriceForm(values, await prices.providers());
      await specter.configManager.update({
        price_check: values.price_check,
        price_provider: checked.provider,
        price_currency: checked.currency,
        ...(checked.manualRate !== null && { alt_rate: checked.manualRate }),
      });
      prices.kick();
      await flash(request, 'Price settings saved.', 'success');
      return reply.redirect(url());
    } catch (err) {
      const error = formError(err);
      reply.code(error.status);
      return render(request, reply, { values, error });
    }
  });
}
