/**
 * `/spc/wallets/…`: the overview (a {@link WalletsOverviewVm} passed through the
 * `adjust_view_model` middleware callback, like the welcome page) and "Add new wallet" (single
 * key from one device, m-of-n multisig from several devices, or import from a descriptor or a
 * Specter backup JSON). The wallet pages themselves (tabs) are in wallets-pages.ts.
 *
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AreaOptions } from '../index.js';
import type { MultisigScriptType, ScriptType, SingleSigScriptType } from '../../../bitcoin/index.js';
import { MAX_IMPORT_TEXT, type Wallet } from '../../../managers/wallets/index.js';
import type { Balances } from '../../../managers/chain/index.js';
import type { User } from '../../../managers/users/index.js';
import { MAX_NAME_LENGTH } from '../../../managers/devices/alias.js';
import { SpecterError } from '../../../errors/index.js';
import { flash } from '../../flash.js';
import { formBody, formList, formText } from '../../schemas.js';
import walletPages from './wallet-pages.js';
import { linkNewWallet } from '../../chain-link.js';
import { SCRIPT_TYPE_NAMES, deviceSummary, formError, walletSummary, type WalletSummary } from '../wallets-view.js';

/**
 * The wallets overview's view model. Extensions adjust it with `callback_adjust_view_model(vm)`
 * (check `vm instanceof WalletsOverviewVm`, change it, return it). Field names are Specter
 * Desktop's; Specter TS has no node connection, so there are no balances or transactions of its
 * own: `balance_overview_include` lists the wallets and `tx_table_include` is empty unless an
 * extension provides one.
 */
export class WalletsOverviewVm {
  /** Non-null: the overview redirects there instead of rendering. */
  wallets_overview_redirect: string | null = null;
  header_and_summary_include = 'wallets/components/header_and_summary.njk';
  balance_overview_include = 'wallets/components/wallets_table.njk';
  tx_table_include: string | null = null;
  /** The wallets shown (name, policy, type, network, receive index, URL). */
  wallets: WalletSummary[] = [];
  /** Per wallet alias: its balance in sats, or null when the node cannot say now. */
  balances: Record<string, Balances | null> = {};
  /** Confirmed + unconfirmed of every wallet, in sats; null unless every balance is known. */
  total: number | null = null;
  /** Wallet files that could not be read (never hidden silently): file and reason. */
  problems: ReadonlyArray<{ file: string; reason: string }> = [];
}

/** The overview never waits longer than this for the node's balances (a slow node shows "—"). */
const BALANCE_WAIT_MS = 1_500;

async function overviewBalances(specter: AreaOptions['specter'], user: User, aliases: string[]): Promise<Record<string, Balances | null>> {
  if (!aliases.length || !(await specter.nodeManager.active())) return Object.fromEntries(aliases.map((a) => [a, null]));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), BALANCE_WAIT_MS);
  });
  try {
    const entries = await Promise.all(
      aliases.map(async (alias) => [alias, await Promise.race([specter.chain.balance(user, alias).catch(() => null), late])] as const),
    );
    return Object.fromEntries(entries);
  } finally {
    clearTimeout(timer);
  }
}

const SINGLE_TYPES: SingleSigScriptType[] = ['wpkh', 'sh-wpkh', 'tr'];
const MULTI_TYPES: MultisigScriptType[] = ['wsh', 'sh-wsh'];
const typeChoices = (types: string[]) => types.map((t) => ({ value: t, name: SCRIPT_TYPE_NAMES[t as SingleSigScriptType] }));
/** "Segwit (P2WSH) or Nested Segwit (P2SH-P2WSH)": the offered types in words, for hints. */
const typeWords = (types: ScriptType[]) => {
  const names = types.map((t) => SCRIPT_TYPE_NAMES[t]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join('');
};

/**
 * The import form's body limit: far above MAX_IMPORT_TEXT (the wallet manager refuses longer
 * pastes with the limit in the message), so even a paste many times too large still arrives and
 * comes back to the user in the form instead of being dropped as "body too large".
 */
const IMPORT_BODY_LIMIT = 16 * MAX_IMPORT_TEXT;

const deviceQuery = z.object({ device: z.string().optional() });
const singleBody = formBody({ name: formText, device: formText, script_type: formText });
const multiBody = formBody({ name: formText, threshold: formText, script_type: formText, devices: formList });
const importBody = formBody({ name: formText, data: formText });

/** `/spc/wallets/`: the overview, "Add new wallet" and, under `/:wallet_alias/`, the wallet pages. */
export default async function walletsArea(scope: FastifyInstance, { specter }: AreaOptions): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const receiveUrl = (w: Wallet) => specter.endpoints.urlFor('wallets_endpoint.receive', { wallet_alias: w.alias });

  app.get('/', { config: { access: 'user', endpoint: 'wallets_endpoint.wallets_overview' } }, async (request, reply) => {
    const vm = new WalletsOverviewVm();
    const wallets = await specter.walletManager.list();
    vm.wallets = wallets.map((w) => walletSummary(specter, w));
    vm.problems = specter.walletManager.problems;
    vm.balances = await overviewBalances(
      specter,
      request.user!,
      wallets.map((w) => w.alias),
    );
    vm.total = Object.values(vm.balances).every((b) => b !== null)
      ? Object.values(vm.balances).reduce((sum, b) => sum + (b?.confirmed ?? 0) + (b?.unconfirmed ?? 0), 0)
      : null;
    const adjusted = await specter.extensionManager.callbacks.middleware<WalletsOverviewVm>('adjust_view_model', vm);
    if (adjusted.wallets_overview_redirect) return reply.redirect(adjusted.wallets_overview_redirect);
    return reply.render('wallets/overview.njk', { vm: adjusted });
  });

  const deviceChoices = async () => (await specter.deviceManager.list()).filter((d) => d.keys.length > 0).map((d) => deviceSummary(specter, d));

  app.get('/new', { config: { access: 'user', endpoint: 'wallets_endpoint.new_wallet' } }, async (_request, reply) =>
    reply.render('wallets/new.njk', { devices: await deviceChoices() }),
  );

  // Single key
  const renderSingle = async (reply: FastifyReply, values: Record<string, string>, error?: ReturnType<typeof formError>) => {
    if (error) reply.code(error.status);
    return reply.render('wallets/new_singlesig.njk', { devices: await deviceChoices(), script_types: typeChoices(SINGLE_TYPES), values, error });
  };
  app.get(
    '/new/singlesig',
    { schema: { querystring: deviceQuery }, config: { access: 'user', endpoint: 'wallets_endpoint.new_singlesig' } },
    async (request, reply) => renderSingle(reply, { name: '', device: request.query.device ?? '', script_type: 'wpkh' }),
  );
  app.post(
    '/new/singlesig',
    { schema: { body: singleBody }, config: { access: 'user', endpoint: 'wallets_endpoint.new_singlesig' } },
    async (request, reply) => {
      const values = { name: request.body.name, device: request.body.device, script_type: request.body.script_type || 'wpkh' };
      let wallet: Wallet;
      try {
        if (!values.device)
          throw new SpecterError('WALLET_INVALID', 'No device is selected.', { hint: 'Pick the device whose key the wallet uses.' });
        const scriptType = SINGLE_TYPES.find((t) => t === values.script_type);
        if (!scriptType) {
          throw new SpecterError('WALLET_INVALID', `Script type "${values.script_type}" is not offered for single-key wallets.`, {
            hint: `Choose ${typeWords(SINGLE_TYPES)}.`,
          });
        }
        wallet = await specter.walletManager.createSingleSig({ name: values.name, device: values.device, scriptType });
      } catch (err) {
        return renderSingle(reply, values, formError(err));
      }
      linkNewWallet(specter, request.user!, wallet.alias);
      await flash(request, `Wallet "${wallet.name}" created.`, 'success');
      return reply.redirect(receiveUrl(wallet));
    },
  );

  // Multisig
  const renderMulti = async (
    reply: FastifyReply,
    values: { name: string; threshold: string; script_type: string; devices: string[] },
    error?: ReturnType<typeof formError>,
  ) => {
    if (error) reply.code(error.status);
    return reply.render('wallets/new_multisig.njk', { devices: await deviceChoices(), script_types: typeChoices(MULTI_TYPES), values, error });
  };
  app.get('/new/multisig', { config: { access: 'user', endpoint: 'wallets_endpoint.new_multisig' } }, async (_request, reply) =>
    renderMulti(reply, { name: '', threshold: '2', script_type: 'wsh', devices: [] }),
  );
  app.post(
    '/new/multisig',
    { schema: { body: multiBody }, config: { access: 'user', endpoint: 'wallets_endpoint.new_multisig' } },
    async (request, reply) => {
      const values = {
        name: request.body.name,
        threshold: request.body.threshold,
        script_type: request.body.script_type || 'wsh',
        devices: request.body.devices,
      };
      let wallet: Wallet;
      try {
        const scriptType = MULTI_TYPES.find((t) => t === values.script_type);
        if (!scriptType) {
          throw new SpecterError('WALLET_INVALID', `Script type "${values.script_type}" is not offered for multisig wallets.`, {
            hint: `Choose ${typeWords(MULTI_TYPES)}.`,
          });
        }
        if (values.devices.length < 2)
          throw new SpecterError('DESCRIPTOR_POLICY', 'A multisig wallet needs at least two devices.', { hint: 'Select the cosigner devices.' });
        const threshold = Number(values.threshold);
        if (!/^\d+$/.test(values.threshold) || threshold < 1 || threshold > values.devices.length) {
          throw new SpecterError(
            'DESCRIPTOR_POLICY',
            `The threshold must be a whole number from 1 to ${values.devices.length} (the selected devices), got "${values.threshold}".`,
            {
              hint: 'Signatures required ≤ devices selected.',
            },
          );
        }
        wallet = await specter.walletManager.createMultisig({ name: values.name, threshold, devices: values.devices, scriptType });
      } catch (err) {
        return renderMulti(reply, values, formError(err));
      }
      linkNewWallet(specter, request.user!, wallet.alias);
      await flash(request, `Wallet "${wallet.name}" (${walletSummary(specter, wallet).policy}) created.`, 'success');
      return reply.redirect(receiveUrl(wallet));
    },
  );

  // Import
  const renderImport = (reply: FastifyReply, values: Record<string, string>, error?: ReturnType<typeof formError>) => {
    if (error) reply.code(error.status);
    return reply.render('wallets/import.njk', { values, error, max_import_text: MAX_IMPORT_TEXT, max_name: MAX_NAME_LENGTH });
  };
  app.get('/new/import', { config: { access: 'user', endpoint: 'wallets_endpoint.import_wallet' } }, async (_request, reply) =>
    renderImport(reply, { name: '', data: '' }),
  );
  app.post(
    '/new/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: { body: importBody },
      config: { access: 'user', endpoint: 'wallets_endpoint.import_wallet' },
    },
    async (request, reply) => {
      const values = { name: request.body.name, data: request.body.data };
      let wallet: Wallet;
      try {
        const text = values.data.trim();
        if (!text)
          throw new SpecterError('WALLET_INVALID', 'Nothing was pasted.', {
            hint: "Paste a descriptor or the backup JSON from Specter's wallet export.",
          });
        if (text.startsWith('{')) {
          wallet = await specter.walletManager.importBackup(text, values.name.trim() ? { name: values.name } : {});
        } else {
          if (!values.name.trim())
            throw new SpecterError('WALLET_INVALID', 'The wallet name is empty.', { hint: 'Give the imported wallet a name.' });
          wallet = await specter.walletManager.importDescriptor(text, { name: values.name });
        }
      } catch (err) {
        return renderImport(reply, values, formError(err));
      }
      linkNewWallet(specter, request.user!, wallet.alias);
      await flash(request, `Wallet "${wallet.name}" imported.`, 'success');
      return reply.redirect(receiveUrl(wallet));
    },
  );

  await scope.register(walletPages, { specter, prefix: '/:wallet_alias' });
}
