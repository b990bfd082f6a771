/**
 * A wallet's address labels, on its Settings tab: download them as Specter JSON, Electrum JSON or
 * BIP-329 JSON lines, and import a file in any of the three (chosen or detected). A refused
 * import shows the Settings tab again with the error and the pasted text; nothing is changed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from './index.js';
import { SpecterError } from '../../errors/index.js';
import { LABEL_FILE_TYPES, LABEL_FORMAT_NAMES, isLabelFormat, serializeLabels, type LabelImportReport, type Wallet } from '../../managers/wallets/index.js';
import { flash } from '../flash.js';
import { field, formError, walletSettingsView } from './wallets-view.js';

type RenderSettings = (request: FastifyRequest, reply: FastifyReply, wallet: Wallet, ctx: Record<string, unknown>) => Promise<unknown>;

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

const SKIPPED_NAMES: Record<string, [string, string]> = {
  tx: ['transaction label', 'transaction labels'],
  input: ['input label', 'input labels'],
  output: ['output label', 'output labels'],
  pubkey: ['public key label', 'public key labels'],
  xpub: ['extended key label', 'extended key labels'],
  spscan: ['silent payment label', 'silent payment labels'],
};

/** "3 labels imported from Electrum JSON: 2 set, 1 already so; 1 address is not in this wallet; 4 transaction labels skipped." */
export function labelImportSummary(report: LabelImportReport): string {
  const parts = [`${plural(report.total, 'address label')} read from ${LABEL_FORMAT_NAMES[report.format]}: ${report.applied.toLocaleString('en-US')} set, ${report.unchanged.toLocaleString('en-US')} already so`];
  if (report.unknown.length) {
    const n = report.unknown.length;
    parts.push(`${plural(n, 'address is', 'addresses are')} not in this wallet (${report.unknown.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''})`);
  }
  const skipped = Object.entries(report.skipped).filter(([, n]) => n);
  if (skipped.length) {
    parts.push(skipped.map(([kind, n]) => {
      const [one, many] = SKIPPED_NAMES[kind] ?? [`${kind} label`, `${kind} labels`];
      return plural(n!, one, many);
    }).join(', ') + ' skipped (only address labels are kept)');
  }
  return parts.join('; ') + '.';
}

export function registerWalletLabelRoutes(app: FastifyInstance, { specter, endpoints }: RouteDeps, base: string, renderSettings: RenderSettings): void {
  endpoints.registerEndpoint('wallets_endpoint.labels_export', `${base}/labels/export`);
  endpoints.registerEndpoint('wallets_endpoint.labels_import', `${base}/labels/import`);
  const wallets = specter.walletManager;
  const walletOf = (request: FastifyRequest) => wallets.get((request.params as { wallet_alias: string }).wallet_alias);

  app.get(`${base}/labels/export`, async (request, reply) => {
    const wallet = await walletOf(request);
    const format = field(request.query, 'format') || 'specter';
    if (!isLabelFormat(format)) {
      throw new SpecterError('VALIDATION', `"${format}" is not a labels format.`, { hint: 'Use format=specter, electrum or bip329.', details: { field: 'format' } });
    }
    const type = LABEL_FILE_TYPES[format];
    const name = `${wallet.alias}-labels${format === 'electrum' ? '-electrum' : ''}.${type.ext}`;
    return reply
      .header('content-disposition', `attachment; filename="${name}"`)
      .type(type.mediaType)
      .send(serializeLabels(format, await wallets.exportLabels(wallet.alias)));
  });

  app.post(`${base}/labels/import`, async (request, reply) => {
    const wallet = await walletOf(request);
    const values = { data: field(request.body, 'data'), format: field(request.body, 'format') };
    let report: LabelImportReport;
    try {
      if (values.format && !isLabelFormat(values.format)) {
        throw new SpecterError('VALIDATION', `"${values.format}" is not a labels format.`, { hint: 'Choose Specter JSON, Electrum JSON, BIP-329, or let it be detected.', details: { field: 'format' } });
      }
      report = await wallets.importLabels(wallet.alias, values.data, isLabelFormat(values.format) ? values.format : undefined);
    } catch (err) {
      const error = formError(err);
      reply.code(400);
      return renderSettings(request, reply, wallet, { ...(await walletSettingsView(specter, wallet)), labels_error: error, labels_values: values });
    }
    await flash(request, labelImportSummary(report), report.applied || report.unchanged ? 'success' : 'warning');
    return reply.redirect(`${endpoints.urlFor('wallets_endpoint.settings', { wallet_alias: wallet.alias })}#labels`);
  });
}
