/**
 * A wallet's Send tab, inside the wallet pages' scope: the form that creates a PSBT (recipients as
 * "address, amount in sats" lines, fee rate, subtract the fee, RBF), the pending PSBTs, and one
 * pending PSBT's page (what it does, who signed, the base64 to copy, downloads, pasting a signed
 * copy back, broadcast, delete). Everything goes through PsbtService (src/managers/psbt); a
 * refused form is shown again with what was typed and the error's message.
 *
 * QR codes and file uploads of PSBTs are not here yet (their transport is built separately).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../../specter/index.js';
import type { User } from '../../../managers/users/index.js';
import type { Wallet } from '../../../managers/wallets/index.js';
import type { Recipient } from '../../../managers/psbt/index.js';
import { isSpecterError, SpecterError } from '../../../errors/index.js';
import { flash } from '../../flash.js';
import { formBody, formText, pathParam } from '../../schemas.js';
import { formError } from '../wallets-view.js';
import type { RenderTab } from './wallet-chain.js';

const walletParams = z.object({ wallet_alias: pathParam });
const psbtParams = z.object({ wallet_alias: pathParam, txid: z.string().regex(/^[0-9a-f]{64}$/, 'must be a transaction id (64 hex digits)') });
const downloadQuery = z.object({ format: z.enum(['binary', 'base64']).catch('binary').default('binary') });
const createBody = formBody({ recipients: formText, fee_rate: formText, subtract_fee: formText, rbf: formText, confirm_high_fee: formText });
const signBody = formBody({ psbt: formText });
/** Longest pasted recipients list or signed PSBT the forms take (a PSBT of a large consolidation fits). */
const MAX_FORM_TEXT = 1_000_000;

/** "address, amount" (sats; spaces, commas or tabs between) per line. */
export function parseRecipients(text: string): Recipient[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length)
    throw new SpecterError('VALIDATION', 'Give at least one recipient: an address and an amount in sats.', { details: { field: 'recipients' } });
  return lines.map((line, i) => {
    // Whole satoshis only (underscores may group digits): "1.5" or "1,5" could mean BTC, so they are refused, not guessed.
    const m = /^(\S+?)[\s,;]+([\d_]+)(?:\s*sats?)?$/i.exec(line);
    const digits = m?.[2]?.replace(/_/g, '') ?? '';
    if (!m || !/^\d{1,16}$/.test(digits)) {
      throw new SpecterError('VALIDATION', `Line ${i + 1} is not "address, amount in sats": ${line.slice(0, 120)}`, {
        hint: 'Write one recipient per line: the address, a comma and the amount in whole satoshis (e.g. 150000 for 0.0015 BTC).',
        details: { field: 'recipients', line: i + 1 },
      });
    }
    return { address: m[1]!, amount: Number(digits) };
  });
}

export default async function walletSend(scope: FastifyInstance, { specter, render }: { specter: Specter; render: RenderTab }): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const psbts = specter.psbts;
  const walletOf = (request: { params: { wallet_alias: string } }) => specter.walletManager.get(request.params.wallet_alias);
  const userOf = (request: { user: User | undefined }): User => request.user!;
  const url = (name: string, alias: string, params: Record<string, string | number> = {}) =>
    specter.endpoints.urlFor(`wallets_endpoint.${name}`, { wallet_alias: alias, ...params });
  const on = (endpoint: string) => ({ access: 'user' as const, endpoint: `wallets_endpoint.${endpoint}` });

  type FormError = ReturnType<typeof formError> | null;
  const renderSend = async (
    request: FastifyRequest,
    reply: FastifyReply,
    wallet: Wallet,
    values: Record<string, string>,
    error: FormError = null,
  ) => {
    const pending = await psbts.list(userOf(request), wallet.alias);
    return render(request, reply, wallet, 'send', 'wallets/send.njk', {
      values,
      error,
      pending: pending.map((p) => ({ ...p, url: url('psbt', wallet.alias, { txid: p.txid }) })),
      form_action: url('send', wallet.alias),
    });
  };

  app.get('/send/', { schema: { params: walletParams }, config: on('send') }, async (request, reply) =>
    renderSend(request, reply, await walletOf(request), { recipients: '', fee_rate: '', subtract_fee: '', rbf: 'on', confirm_high_fee: '' }),
  );

  app.post('/send/', { schema: { params: walletParams, body: createBody }, config: on('send_create') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const values = {
      recipients: request.body.recipients,
      fee_rate: request.body.fee_rate,
      subtract_fee: request.body.subtract_fee,
      rbf: request.body.rbf,
      confirm_high_fee: request.body.confirm_high_fee,
    };
    try {
      if (values.recipients.length > MAX_FORM_TEXT)
        throw new SpecterError('INPUT_TOO_LONG', `The recipients list is longer than ${MAX_FORM_TEXT} characters.`);
      const recipients = parseRecipients(values.recipients);
      const feeRate = values.fee_rate.trim() === '' ? Number.NaN : Number(values.fee_rate.trim());
      const created = await psbts.create(userOf(request), wallet.alias, {
        recipients,
        fee_rate: feeRate,
        rbf: values.rbf === 'on',
        confirm_high_fee: values.confirm_high_fee === 'on',
        ...(values.subtract_fee === 'on' ? { subtract_fee_from: [0] } : {}),
      });
      await flash(request, 'PSBT created: sign it with your devices, then paste the signed copies below.', 'success');
      return reply.redirect(url('psbt', wallet.alias, { txid: created.txid }));
    } catch (err) {
      if (!isSpecterError(err) || err.status >= 500) throw err;
      const error = formError(err);
      reply.code(error.status);
      return renderSend(request, reply, wallet, values, error);
    }
  });

  const renderPsbt = async (
    request: FastifyRequest,
    reply: FastifyReply,
    wallet: Wallet,
    txid: string,
    values: { psbt: string },
    error: FormError = null,
  ) => {
    const view = await psbts.get(userOf(request), wallet.alias, txid);
    const labelOf = (address: string | null) => (address !== null && wallet.findAddress(address) ? wallet.getAddressInfo(address).label : null);
    return render(request, reply, wallet, 'send', 'wallets/psbt.njk', {
      psbt: view,
      inputs: view.inputs.map((i) => ({ ...i, label: labelOf(i.address) })),
      values,
      error,
      urls: {
        sign: url('psbt_sign', wallet.alias, { txid }),
        broadcast: url('psbt_broadcast', wallet.alias, { txid }),
        delete: url('psbt_delete', wallet.alias, { txid }),
        binary: url('psbt_download', wallet.alias, { txid, format: 'binary' }),
        base64: url('psbt_download', wallet.alias, { txid, format: 'base64' }),
        back: url('send', wallet.alias),
      },
    });
  };

  app.get('/send/pending/:txid', { schema: { params: psbtParams }, config: on('psbt') }, async (request, reply) =>
    renderPsbt(request, reply, await walletOf(request), request.params.txid, { psbt: '' }),
  );

  app.get(
    '/send/pending/:txid/download',
    { schema: { params: psbtParams, querystring: downloadQuery }, config: on('psbt_download') },
    async (request, reply) => {
      const wallet = await walletOf(request);
      const view = await psbts.get(userOf(request), wallet.alias, request.params.txid);
      const binary = request.query.format === 'binary';
      return reply
        .header('content-disposition', `attachment; filename="${binary ? 'binary' : 'base64'}_${view.txid}.psbt"`)
        .type(binary ? 'application/octet-stream' : 'text/plain; charset=utf-8')
        .send(binary ? Buffer.from(view.psbt, 'base64') : view.psbt);
    },
  );

  app.post('/send/pending/:txid/signatures', { schema: { params: psbtParams, body: signBody }, config: on('psbt_sign') }, async (request, reply) => {
    const wallet = await walletOf(request);
    const { txid } = request.params;
    try {
      if (request.body.psbt.length > MAX_FORM_TEXT)
        throw new SpecterError('INPUT_TOO_LONG', `The pasted PSBT is longer than ${MAX_FORM_TEXT} characters.`);
      const result = await psbts.addSignatures(userOf(request), wallet.alias, txid, request.body.psbt);
      await flash(
        request,
        result.complete ? 'Fully signed: ready to broadcast.' : `Signatures added (${result.signed_by.length} so far).`,
        'success',
      );
      return reply.redirect(url('psbt', wallet.alias, { txid }));
    } catch (err) {
      if (!isSpecterError(err) || err.status >= 500 || err.key === 'PSBT_NOT_FOUND') throw err;
      const error = formError(err);
      reply.code(error.status);
      return renderPsbt(request, reply, wallet, txid, { psbt: request.body.psbt.slice(0, MAX_FORM_TEXT) }, error);
    }
  });

  app.post('/send/pending/:txid/broadcast', { schema: { params: psbtParams }, config: on('psbt_broadcast') }, async (request, reply) => {
    const wallet = await walletOf(request);
    try {
      const { txid } = await psbts.broadcast(userOf(request), wallet.alias, request.params.txid);
      await flash(request, `Broadcast: transaction ${txid}.`, 'success');
      return reply.redirect(url('transaction', wallet.alias, { txid }));
    } catch (err) {
      if (!isSpecterError(err) || err.status >= 500 || err.key === 'PSBT_NOT_FOUND') throw err;
      await flash(request, err.fullMessage, 'error');
      return reply.redirect(url('psbt', wallet.alias, { txid: request.params.txid }));
    }
  });

  app.post('/send/pending/:txid/delete', { schema: { params: psbtParams }, config: on('psbt_delete') }, async (request, reply) => {
    const wallet = await walletOf(request);
    await psbts.remove(userOf(request), wallet.alias, request.params.txid);
    await flash(request, 'PSBT deleted; its coins are free again.', 'success');
    return reply.redirect(url('send', wallet.alias));
  });
}
