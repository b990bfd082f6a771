/**
 * `/spc/wallets/…`: the overview (a {@link WalletsOverviewVm} passed through the
 * `adjust_view_model` middleware callback, like the welcome page) and "Add new wallet" (single
 * key from one device, m-of-n multisig from several devices, or import from a descriptor or a
 * Specter backup JSON). The wallet pages themselves (tabs) are in wallets-pages.ts.
 *
 * `registerWalletAreaRoutes` registers the whole area: devices, wallets and wallet pages.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteDeps } from './index.js';
import type { MultisigScriptType, ScriptType, SingleSigScriptType } from '../../bitcoin/index.js';
import { MAX_IMPORT_TEXT, type Wallet } from '../../managers/wallets/index.js';
import { MAX_NAME_LENGTH } from '../../managers/devices/alias.js';
import { SpecterError } from '../../errors/index.js';
import { flash } from '../flash.js';
import { registerDeviceRoutes } from './devices.js';
import { registerWalletPageRoutes } from './wallets-pages.js';
import { SCRIPT_TYPE_NAMES, deviceSummary, field, fieldList, formError, walletSummary, type WalletSummary } from './wallets-view.js';

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
}

const SINGLE_TYPES: SingleSigScriptType[] = ['wpkh', 'sh-wpkh', 'tr'];
const MULTI_TYPES: MultisigScriptType[] = ['wsh', 'sh-wsh'];
const typeChoices = (types: string[]) => types.map((t) => ({ value: t, name: SCRIPT_TYPE_NAMES[t as SingleSigScriptType] }));
/** "Segwit (P2WSH) or Nested Segwit (P2SH-P2WSH)": the offered types in words, for hints. */
const typeWords = (types: ScriptType[]) => {
  const names = types.map((t) => SCRIPT_TYPE_NAMES[t]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join('');
};

export function registerWalletAreaRoutes(app: FastifyInstance, deps: RouteDeps, prefix: string): void {
  registerDeviceRoutes(app, deps, prefix);
  registerWalletRoutes(app, deps, prefix);
  registerWalletPageRoutes(app, deps, prefix);
}

function registerWalletRoutes(app: FastifyInstance, { specter, endpoints }: RouteDeps, prefix: string): void {
  const base = `${prefix}/wallets`;
  endpoints.registerEndpoint('wallets_endpoint.wallets_overview', `${base}/`);
  endpoints.registerEndpoint('wallets_endpoint.new_wallet', `${base}/new`);
  endpoints.registerEndpoint('wallets_endpoint.new_singlesig', `${base}/new/singlesig`);
  endpoints.registerEndpoint('wallets_endpoint.new_multisig', `${base}/new/multisig`);
  endpoints.registerEndpoint('wallets_endpoint.import_wallet', `${base}/new/import`);
  const wallets = specter.walletManager;
  const receiveUrl = (w: Wallet) => endpoints.urlFor('wallets_endpoint.receive', { wallet_alias: w.alias });

  app.get(base, async (_req, reply) => reply.redirect(`${base}/`));
  app.get(`${base}/`, async (_request, reply) => {
    const vm = new WalletsOverviewVm();
    vm.wallets = (await wallets.list()).map((w) => walletSummary(specter, w));
    const adjusted = await specter.extensionManager.callbacks.middleware<WalletsOverviewVm>('adjust_view_model', vm);
    if (adjusted.wallets_overview_redirect) return reply.redirect(adjusted.wallets_overview_redirect);
    return reply.render('wallets/overview.njk', { vm: adjusted });
  });

  const deviceChoices = async () => (await specter.deviceManager.list()).filter((d) => d.keys.length > 0).map((d) => deviceSummary(specter, d));

  app.get(`${base}/new`, async (_request, reply) => reply.render('wallets/new.njk', { devices: await deviceChoices() }));

  // Single key
  const renderSingle = async (reply: FastifyReply, values: Record<string, string>, error?: ReturnType<typeof formError>) => {
    if (error) reply.code(400);
    return reply.render('wallets/new_singlesig.njk', { devices: await deviceChoices(), script_types: typeChoices(SINGLE_TYPES), values, error });
  };
  app.get(`${base}/new/singlesig`, async (request, reply) =>
    renderSingle(reply, { name: '', device: field(request.query, 'device'), script_type: 'wpkh' }));
  app.post(`${base}/new/singlesig`, async (request, reply) => {
    const values = { name: field(request.body, 'name'), device: field(request.body, 'device'), script_type: field(request.body, 'script_type') || 'wpkh' };
    let wallet: Wallet;
    try {
      if (!values.device) throw new SpecterError('WALLET_INVALID', 'No device is selected.', { hint: 'Pick the device whose key the wallet uses.' });
      if (!SINGLE_TYPES.includes(values.script_type as SingleSigScriptType)) {
        throw new SpecterError('WALLET_INVALID', `Script type "${values.script_type}" is not offered for single-key wallets.`, { hint: `Choose ${typeWords(SINGLE_TYPES)}.` });
      }
      wallet = await wallets.createSingleSig({ name: values.name, device: values.device, scriptType: values.script_type as SingleSigScriptType });
    } catch (err) {
      return renderSingle(reply, values, formError(err));
    }
    await flash(request, `Wallet "${wallet.name}" created.`, 'success');
    return reply.redirect(receiveUrl(wallet));
  });

  // Multisig
  const renderMulti = async (reply: FastifyReply, values: { name: string; threshold: string; script_type: string; devices: string[] }, error?: ReturnType<typeof formError>) => {
    if (error) reply.code(400);
    return reply.render('wallets/new_multisig.njk', { devices: await deviceChoices(), script_types: typeChoices(MULTI_TYPES), values, error });
  };
  app.get(`${base}/new/multisig`, async (_request, reply) => renderMulti(reply, { name: '', threshold: '2', script_type: 'wsh', devices: [] }));
  app.post(`${base}/new/multisig`, async (request, reply) => {
    const values = {
      name: field(request.body, 'name'),
      threshold: field(request.body, 'threshold'),
      script_type: field(request.body, 'script_type') || 'wsh',
      devices: fieldList(request.body, 'devices'),
    };
    let wallet: Wallet;
    try {
      if (!MULTI_TYPES.includes(values.script_type as MultisigScriptType)) {
        throw new SpecterError('WALLET_INVALID', `Script type "${values.script_type}" is not offered for multisig wallets.`, { hint: `Choose ${typeWords(MULTI_TYPES)}.` });
      }
      if (values.devices.length < 2) throw new SpecterError('DESCRIPTOR_POLICY', 'A multisig wallet needs at least two devices.', { hint: 'Select the cosigner devices.' });
      const threshold = Number(values.threshold);
      if (!/^\d+$/.test(values.threshold) || threshold < 1 || threshold > values.devices.length) {
        throw new SpecterError('DESCRIPTOR_POLICY', `The threshold must be a whole number from 1 to ${values.devices.length} (the selected devices), got "${values.threshold}".`, {
          hint: 'Signatures required ≤ devices selected.',
        });
      }
      wallet = await wallets.createMultisig({ name: values.name, threshold, devices: values.devices, scriptType: values.script_type as MultisigScriptType });
    } catch (err) {
      return renderMulti(reply, values, formError(err));
    }
    await flash(request, `Wallet "${wallet.name}" (${walletSummary(specter, wallet).policy}) created.`, 'success');
    return reply.redirect(receiveUrl(wallet));
  });

  // Import
  const renderImport = (reply: FastifyReply, values: Record<string, string>, error?: ReturnType<typeof formError>) => {
    if (error) reply.code(400);
    return reply.render('wallets/import.njk', { values, error, max_import_text: MAX_IMPORT_TEXT, max_name: MAX_NAME_LENGTH });
  };
  app.get(`${base}/new/import`, async (_request, reply) => renderImport(reply, { name: '', data: '' }));
  app.post(`${base}/new/import`, async (request, reply) => {
    const values = { name: field(request.body, 'name'), data: field(request.body, 'data') };
    let wallet: Wallet;
    try {
      const text = values.data.trim();
      if (!text) throw new SpecterError('WALLET_INVALID', 'Nothing was pasted.', { hint: 'Paste a descriptor or the backup JSON from Specter\'s wallet export.' });
      if (text.startsWith('{')) {
        wallet = await wallets.importBackup(text, values.name.trim() ? { name: values.name } : {});
      } else {
        if (!values.name.trim()) throw new SpecterError('WALLET_INVALID', 'The wallet name is empty.', { hint: 'Give the imported wallet a name.' });
        wallet = await wallets.importDescriptor(text, { name: values.name });
      }
    } catch (err) {
      return renderImport(reply, values, formError(err));
    }
    await flash(request, `Wallet "${wallet.name}" imported.`, 'success');
    return reply.redirect(receiveUrl(wallet));
  });
}
