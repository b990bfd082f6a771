/**
 * A wallet's Send tab and its PSBT pages, inside the wallet pages' scope. Send: recipients, fee
 * rate, coin control and RBF → the PSBT manager's create → the PSBT page, and the wallet's pending
 * PSBTs. The PSBT page: the review (inputs, outputs, fee, who has signed), the PSBT for the devices
 * (copy, two file downloads, an animated BC-UR QR and a static one) and what comes back from them
 * (paste, a file read into the textarea by static/js/file-fill.js, a camera scan by
 * static/js/psbt-scan.js) → parsePsbtInput → the manager's addSignatures; then Broadcast, or
 * Delete (which unlocks the coins). Without a node the pages say so and link the node page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../../specter/index.js';
import type { User } from '../../../managers/users/index.js';
import type { Wallet } from '../../../managers/wallets/index.js';
import { exportsFor, psbtExportsOf, type PsbtExport } from '../../../managers/devices/index.js';
import type { Utxo } from '../../../managers/chain/index.js';
import type { PendingPsbtView } from '../../../managers/psbt/index.js';
import { isSpecterError, type SpecterError } from '../../../errors/index.js';
import { parsePsbtInput, psbtFileName } from '../../../bitcoin/psbt-transport.js';
import { urFramesForPsbt } from '../../../bitcoin/ur-psbt.js';
import { qrSvgFrames, staticPsbtQrSvg } from '../../../bitcoin/psbt-qr.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import { formError } from '../wallets-view.js';
import type { RenderTab } from './wallet-chain.js';
import {
  emptyRow,
  emptyValues,
  errorField,
  MAX_FORM_ROWS,
  sendBody,
  sendRequest,
  sendValues,
  type AmountUnit,
  type SendValues,
} from './send-form.js';

const walletParams = z.object({ wallet_alias: pathParam });
const psbtParams = z.object({ wallet_alias: pathParam, txid: z.string().regex(/^[0-9a-f]{64}$/, 'must be a transaction id (64 hex digits)') });
/** A signed copy as text: a large consolidation's PSBT in base64 or UR parts stays far below this. */
const MAX_SIGNED_TEXT = 4_000_000;
const signBody = formBody({ signed: z.string().max(MAX_SIGNED_TEXT, 'The signed copy is too long (at most 4,000,000 characters).').default('') });
const confirmBody = formBody({ confirm: formText });
const EXPORT_NAMES: Record<PsbtExport, string> = { file: 'a .psbt file', text: 'pasted text', qr: 'a QR code' };
const replaceBody = formBody({ fee_rate: formText, confirm_high_fee: formText });
/** Above this a PSBT is offered as files only: 100 UR fragments, 200 animated frames (about a minute a cycle). */
const MAX_QR_PSBT_BYTES = 20_000;

/** A refusal shown on the page; `placed` when the send form shows it beside its field. */
type FormError = ReturnType<typeof formError> & { field: string | null; placed?: boolean };
const PLACED_FIELDS = /^(?:recipients\.\d+\.(?:address|amount)|fee_rate|utxos)$/;

/** Who holds a wallet key: the devices of the wallet carrying that master fingerprint. */
/**
 * The wallet's devices as the PSBT page needs them: who holds each key fingerprint, and how each
 * device takes a PSBT (its type's exports; a key without a known device could be any, so all).
 */
async function walletDevices(
  specter: Specter,
  wallet: Wallet,
): Promise<{ holders: Map<string, string>; devices: Array<{ name: string; exports: readonly PsbtExport[] }> }> {
  const holders = new Map<string, string>();
  const devices: Array<{ name: string; exports: readonly PsbtExport[] }> = [];
  for (const alias of wallet.devices) {
    try {
      const device = await specter.deviceManager.get(alias);
      for (const key of device.keys) {
        const fp = key.originFingerprint;
        if (fp && !holders.has(fp)) holders.set(fp, device.name);
      }
      const type = specter.deviceTypes.has(device.type) ? specter.deviceTypes.get(device.type) : undefined;
      devices.push({ name: device.name, exports: psbtExportsOf(type) });
    } catch (err) {
      if (!isSpecterError(err, 'DEVICE_NOT_FOUND')) throw err;
    }
  }
  return { holders, devices };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export default async function walletSend(scope: FastifyInstance, { specter, render }: { specter: Specter; render: RenderTab }): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const walletOf = (request: { params: { wallet_alias: string } }) => specter.walletManager.get(request.params.wallet_alias);
  const userOf = (request: { user: User | undefined }): User => request.user!;
  const url = (name: string, alias: string, params: Record<string, string | number> = {}) =>
    specter.endpoints.urlFor(`wallets_endpoint.${name}`, { wallet_alias: alias, ...params });
  const on = (endpoint: string) => ({ access: 'user' as const, endpoint: `wallets_endpoint.${endpoint}` });
  const unit = (): AmountUnit => (specter.configManager.values.unit === 'sat' ? 'sat' : 'btc');

  /** The coins (or why there are none: no node, node down) and the pending PSBTs, which need no node. */
  async function sendContext(user: User, wallet: Wallet): Promise<{ coins: Utxo[] | null; problem: string | null; pending: PendingPsbtView[] }> {
    const pending = await specter.psbts.list(user, wallet.alias);
    try {
      return { coins: await specter.chain.utxos(user, wallet.alias), problem: null, pending };
    } catch (err) {
      if (isSpecterError(err) && /^NODE_|^RPC_/.test(err.key)) return { coins: null, problem: err.message, pending };
      throw err;
    }
  }

  const renderSend = async (request: FastifyRequest, reply: FastifyReply, wallet: Wallet, values: SendValues, error: FormError | null) => {
    const user = userOf(request);
    const { coins, problem, pending } = await sendContext(user, wallet);
    const held = new Map<string, string>(pending.flatMap((p) => p.inputs.map((i) => [`${i.txid}:${i.vout}`, p.txid] as const)));
    const chosen = new Set(values.utxos);
    return render(request, reply, wallet, 'send', 'wallets/send.njk', {
      values,
      error,
      chain_problem: problem,
      nodes_url: specter.endpoints.urlFor('nodes_endpoint.list'),
      max_rows: MAX_FORM_ROWS,
      coins: (coins ?? []).map((c) => {
        const outpoint = `${c.txid}:${c.vout}`;
        return { ...c, outpoint, held_by: held.get(outpoint) ?? null, checked: chosen.has(outpoint) };
      }),
      pending: pending.map((p) => ({ ...p, url: url('psbt', wallet.alias, { txid: p.txid }) })),
      form_action: url('send_new', wallet.alias),
      fees_url: url('send_fees', wallet.alias),
    });
  };

  // Fee suggestions for the Send page's script: asked after the page has loaded, so the page never
  // waits for them (the node's estimatesmartfee now; outside sources with issue 13).
  app.get('/send/fees', { schema: { params: walletParams }, config: on('send_fees') }, async (request, reply) => {
    await walletOf(request);
    try {
      return await specter.psbts.fees();
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      return reply.code(503).send({ error: { code: err.code, message: err.message } });
    }
  });

  app.get('/send/', { schema: { params: walletParams }, config: on('send') }, async (request, reply) =>
    reply.redirect(url('send_new', (await walletOf(request)).alias)),
  );

  app.get('/send/new', { schema: { params: walletParams }, config: on('send_new') }, async (request, reply) => {
    const wallet = await walletOf(request);
    return renderSend(request, reply, wallet, emptyValues(unit()), null);
  });

  app.post('/send/new', { schema: { params: walletParams, body: sendBody }, config: on('send_new') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const user = userOf(request);
    const values = sendValues(request.body, unit());
    // "Add recipient" without JavaScript: the same form with one more row.
    if (request.body.action === 'add') {
      if (values.rows.length < MAX_FORM_ROWS) values.rows.push(emptyRow());
      return renderSend(request, reply, wallet, values, null);
    }
    let created: PendingPsbtView;
    try {
      const needsCoins = values.rows.some((r) => r.send_all);
      const coins = needsCoins ? await specter.chain.utxos(user, wallet.alias) : [];
      const held = needsCoins
        ? new Set((await specter.psbts.list(user, wallet.alias)).flatMap((p) => p.inputs.map((i) => `${i.txid}:${i.vout}`)))
        : new Set<string>();
      created = await specter.psbts.create(user, wallet.alias, sendRequest(values, coins, held));
    } catch (err) {
      const error = formError(err);
      reply.code(error.status);
      const field = errorField(err as SpecterError);
      return renderSend(request, reply, wallet, values, { ...error, field, placed: field !== null && PLACED_FIELDS.test(field) });
    }
    await flash(
      request,
      `PSBT created: ${plural(created.outputs.filter((o) => o.ownership === 'external').length, 'payment')}, fee ${created.fee.toLocaleString('en-US')} sats. Sign it with ${created.signatures.need} of the wallet's keys.`,
      'success',
    );
    return reply.redirect(url('psbt', wallet.alias, { txid: created.txid }));
  });

  // The PSBT page
  const renderPsbt = async (
    request: FastifyRequest,
    reply: FastifyReply,
    wallet: Wallet,
    view: PendingPsbtView,
    extra: { error?: FormError | null; signed?: string } = {},
  ) => {
    const bytes = Buffer.from(view.psbt, 'base64');
    const { holders, devices } = await walletDevices(specter, wallet);
    const exports = exportsFor(devices, wallet.descriptor.keys.length);
    // A very large PSBT (a consolidation of hundreds of coins) would make a page of megabytes of QR codes: the file is the way then.
    const ur = exports.qr && bytes.length <= MAX_QR_PSBT_BYTES ? urFramesForPsbt(bytes) : null;
    return render(request, reply, wallet, 'send', 'wallets/send_psbt.njk', {
      psbt: view,
      signers: view.signers.map((s) => ({ ...s, name: holders.get(s.fingerprint) ?? null })),
      exports,
      device_ways: devices.map((d) => ({ name: d.name, ways: d.exports.map((e) => EXPORT_NAMES[e]).join(', ') })),
      ur_frames: ur ? qrSvgFrames(ur.frames) : [],
      static_qr: ur ? staticPsbtQrSvg(bytes) : null,
      error: extra.error ?? null,
      signed_value: extra.signed ?? '',
      max_signed_text: MAX_SIGNED_TEXT,
      urls: {
        binary: url('psbt_download_binary', wallet.alias, { txid: view.txid }),
        base64: url('psbt_download_base64', wallet.alias, { txid: view.txid }),
        sign: url('psbt_sign', wallet.alias, { txid: view.txid }),
        broadcast: url('psbt_broadcast', wallet.alias, { txid: view.txid }),
        delete: url('psbt_delete', wallet.alias, { txid: view.txid }),
        send: url('send_new', wallet.alias),
        replaces: view.replaces ? url('transaction', wallet.alias, { txid: view.replaces }) : null,
      },
    });
  };

  app.get('/psbt/:txid/', { schema: { params: psbtParams }, config: on('psbt') }, async (request, reply) => {
    const wallet = await walletOf(request);
    return renderPsbt(request, reply, wallet, await specter.psbts.get(userOf(request), wallet.alias, request.params.txid));
  });

  for (const kind of ['binary', 'base64'] as const) {
    app.get(`/psbt/:txid/${kind}.psbt`, { schema: { params: psbtParams }, config: on(`psbt_download_${kind}`) }, async (request, reply) => {
      const wallet = await walletOf(request);
      const view = await specter.psbts.get(userOf(request), wallet.alias, request.params.txid);
      const name = psbtFileName(kind, view.txid);
      reply.header('content-disposition', `attachment; filename="${name}"`);
      return kind === 'binary'
        ? reply.type('application/octet-stream').send(Buffer.from(view.psbt, 'base64'))
        : reply.type('text/plain; charset=utf-8').send(view.psbt);
    });
  }

  app.post('/psbt/:txid/sign', { schema: { params: psbtParams, body: signBody }, config: on('psbt_sign') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const user = userOf(request);
    const { txid } = request.params;
    const before = await specter.psbts.get(user, wallet.alias, txid);
    const text = request.body.signed;
    let result: Awaited<ReturnType<typeof specter.psbts.addSignatures>>;
    try {
      const parsed = parsePsbtInput(text);
      const signed = parsed.kind === 'psbt' ? Buffer.from(parsed.psbt).toString('base64') : Buffer.from(parsed.tx).toString('hex');
      result = await specter.psbts.addSignatures(user, wallet.alias, txid, signed);
    } catch (err) {
      const error = formError(err);
      reply.code(error.status);
      return renderPsbt(request, reply, wallet, before, { error: { ...error, field: 'signed' }, signed: text });
    }
    const { holders } = await walletDevices(specter, wallet);
    const name = (fp: string) => holders.get(fp) ?? `key ${fp}`;
    const added = result.signed_by.filter((fp) => !before.signed_by.includes(fp));
    const count = `${result.signed_by.length} of ${before.signatures.need}`;
    if (result.complete && before.complete) await flash(request, 'This PSBT was already complete: nothing changed. Broadcast it.', 'info');
    else if (added.length) {
      const done = result.complete ? ' The transaction is complete: broadcast it.' : '';
      await flash(request, `Signed by ${added.map(name).join(', ')} (${count}).${done}`, 'success');
    } else if (result.complete) await flash(request, 'The transaction is complete: broadcast it.', 'success');
    else await flash(request, `No new signatures in this copy (${count}). Sign it on a device that has not signed yet.`, 'warning');
    return reply.redirect(url('psbt', wallet.alias, { txid }));
  });

  app.post('/psbt/:txid/broadcast', { schema: { params: psbtParams }, config: on('psbt_broadcast') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const user = userOf(request);
    const { txid } = request.params;
    try {
      const sent = await specter.psbts.broadcast(user, wallet.alias, txid);
      await flash(request, `Transaction ${sent.txid} broadcast.`, 'success');
      return reply.redirect(url('history', wallet.alias));
    } catch (err) {
      const error = formError(err);
      reply.code(error.status);
      const view = await specter.psbts.get(user, wallet.alias, txid);
      return renderPsbt(request, reply, wallet, view, { error: { ...error, field: 'broadcast' } });
    }
  });

  app.get('/psbt/:txid/delete', { schema: { params: psbtParams }, config: on('psbt_delete') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const view = await specter.psbts.get(userOf(request), wallet.alias, request.params.txid);
    return render(request, reply, wallet, 'send', 'wallets/send_delete.njk', {
      psbt: view,
      back_url: url('psbt', wallet.alias, { txid: view.txid }),
      action: url('psbt_delete', wallet.alias, { txid: view.txid }),
    });
  });
  app.post('/psbt/:txid/delete', { schema: { params: psbtParams, body: confirmBody }, config: on('psbt_delete') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const { txid } = request.params;
    if (request.body.confirm !== 'yes') return reply.redirect(url('psbt', wallet.alias, { txid }));
    try {
      await specter.psbts.remove(userOf(request), wallet.alias, txid);
      await flash(request, `PSBT ${txid} deleted; its coins are unlocked.`, 'success');
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      await flash(request, err.fullMessage, 'error');
      if (!isSpecterError(err, 'PSBT_NOT_FOUND')) return reply.redirect(url('psbt', wallet.alias, { txid }));
    }
    return reply.redirect(url('send_new', wallet.alias));
  });

  // Replace-by-fee from the transaction page: a new PSBT (the same payments at a higher fee, or
  // everything back to the wallet) that the devices sign again; errors go back to the transaction.
  for (const [action, cancel] of [
    ['bump', false],
    ['cancel', true],
  ] as const) {
    app.post(
      `/tx/:txid/${action}`,
      { schema: { params: psbtParams, body: replaceBody }, config: on(`transaction_${action}`) },
      async (request, reply) => {
        const wallet = await walletOf(request);
        const { txid } = request.params;
        const feeRate = Number(request.body.fee_rate);
        try {
          const view = await specter.psbts.replace(
            userOf(request),
            wallet.alias,
            txid,
            { fee_rate: feeRate, confirm_high_fee: request.body.confirm_high_fee === 'yes' },
            cancel,
          );
          await flash(
            request,
            cancel
              ? 'A cancelling PSBT was created: it sends everything back to this wallet. Sign it on the devices and broadcast it.'
              : `A replacement PSBT at ${view.fee_rate ?? feeRate} sat/vB was created. Sign it on the devices and broadcast it.`,
            'success',
          );
          return reply.redirect(url('psbt', wallet.alias, { txid: view.txid }));
        } catch (err) {
          if (!isSpecterError(err)) throw err;
          await flash(request, err.fullMessage, 'error');
          return reply.redirect(url('transaction', wallet.alias, { txid }));
        }
      },
    );
  }
}
