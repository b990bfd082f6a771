/**
 * A wallet's address labels, on its Settings tab: download them as Specter JSON, Electrum JSON or
 * BIP-329 JSON lines, and import a file in any of the three (chosen or detected). A refused
 * import shows the Settings tab again with the error and the pasted text; nothing is changed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../../specter/index.js';
import {
  LABEL_FILE_TYPES,
  LABEL_FORMAT_NAMES,
  LABEL_FORMATS,
  serializeLabels,
  type LabelImportReport,
  type Wallet,
} from '../../../managers/wallets/index.js';
import { SpecterError } from '../../../errors/index.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import { formError, walletSettingsView } from '../wallets-view.js';

export type RenderSettings = (request: FastifyRequest, reply: FastifyReply, wallet: Wallet, ctx: Record<string, unknown>) => Promise<unknown>;

const walletParams = z.object({ wallet_alias: pathParam });
const exportQuery = z.object({ format: z.enum(LABEL_FORMATS, { error: 'Use format=specter, electrum or bip329.' }).default('specter') });
const importBody = formBody({ data: formText, format: formText });

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
  const parts = [
    `${plural(report.total, 'address label')} read from ${LABEL_FORMAT_NAMES[report.format]}: ${report.applied.toLocaleString('en-US')} set, ${report.unchanged.toLocaleString('en-US')} already so`,
  ];
  if (report.unknown.length) {
    const n = report.unknown.length;
    parts.push(`${plural(n, 'address is', 'addresses are')} not in this wallet (${report.unknown.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''})`);
  }
  const skipped = Object.entries(report.skipped).filter(([, n]) => n);
  if (skipped.length) {
    parts.push(
      `${skipped
        .map(([kind, n]) => {
          const [one, many] = SKIPPED_NAMES[kind] ?? [`${kind} label`, `${kind} labels`];
          return plural(n!, one, many);
        })
        .join(', ')} skipped (only address labels are kept)`,
    );
  }
  return `${parts.join('; ')}.`;
}

/** `…/:wallet_alias/labels/export` and `…/labels/import`, inside the wallet pages' scope. */
export default async function walletLabels(
  scope: FastifyInstance,
  { specter, renderSettings }: { specter: Specter; renderSettings: RenderSettings },
): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const walletOf = (request: { params: { wallet_alias: string } }) => specter.walletManager.get(request.params.wallet_alias);

  app.get(
    '/labels/export',
    { schema: { params: walletParams, querystring: exportQuery }, config: { access: 'user', endpoint: 'wallets_endpoint.labels_export' } },
    async (request, reply) => {
      const wallet = await walletOf(request);
      const format = request.query.format;
      const type = LABEL_FILE_TYPES[format];
      const name = `${wallet.alias}-labels${format === 'electrum' ? '-electrum' : ''}.${type.ext}`;
      return reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .type(type.mediaType)
        .send(serializeLabels(format, await specter.walletManager.exportLabels(wallet.alias)));
    },
  );

  app.post(
    '/labels/import',
    { schema: { params: walletParams, body: importBody }, config: { access: 'user', endpoint: 'wallets_endpoint.labels_import' } },
    async (request, reply) => {
      const wallet = await walletOf(request);
      const values = { data: request.body.data, format: request.body.format };
      let report: LabelImportReport;
      try {
        const format = values.format ? LABEL_FORMATS.find((f) => f === values.format) : undefined;
        if (values.format && !format) {
          throw new SpecterError('VALIDATION', `"${values.format}" is not a labels format.`, {
            hint: 'Choose Specter JSON, Electrum JSON, BIP-329, or let it be detected.',
            details: { field: 'format' },
          });
        }
        report = await specter.walletManager.importLabels(wallet.alias, values.data, format);
      } catch (err) {
        const error = formError(err);
        reply.code(error.status);
        return renderSettings(request, reply, wallet, { ...(await walletSettingsView(specter, wallet)), labels_error: error, labels_values: values });
      }
      await flash(request, labelImportSummary(report), report.applied || report.unchanged ? 'success' : 'warning');
      return reply.redirect(`${specter.endpoints.urlFor('wallets_endpoint.settings', { wallet_alias: wallet.alias })}#labels`);
    },
  );
}
