/**
 * The send (PSBT) JSON API inside the `/api/v1` scope; amounts are integer satoshis, fee rates sat/vB:
 *
 *   POST   /api/v1/wallets/:alias/psbts  {recipients: [{address, amount, label?}], fee_rate, confirm_high_fee?,
 *                                         subtract_fee_from?, utxos?: ["txid:vout"], rbf?}
 *                                        → 201 {txid, psbt, fee, fee_rate, vsize, amount, inputs, outputs, signers,
 *                                                signed_by, signatures, created, complete}
 *   GET    /api/v1/wallets/:alias/psbts                        → {psbts: [same shape]}
 *   GET    /api/v1/wallets/:alias/psbts/:txid                  → {psbt: same shape}
 *   POST   /api/v1/wallets/:alias/psbts/:txid/signatures {psbt} → {complete, psbt, hex?, signed_by}
 *                                        (`psbt`: base64 or hex PSBT, or a final raw transaction in hex)
 *   POST   /api/v1/wallets/:alias/psbts/:txid/broadcast        → {txid}
 *   DELETE /api/v1/wallets/:alias/psbts/:txid                  → {deleted: txid} (its coins are unlocked)
 *   POST   /api/v1/wallets/:alias/transactions/:txid/bump   {fee_rate, confirm_high_fee?}
 *                                        → 201 a pending PSBT (same shape, `replaces: txid`): the same payments at a higher fee
 *   POST   /api/v1/wallets/:alias/transactions/:txid/cancel {fee_rate, confirm_high_fee?}
 *                                        → 201 a pending PSBT sending everything back to the wallet's change
 *
 * The wallet is the current user's; errors are the catalogue's PSBT_* codes (docs/errors.md).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../specter/index.js';
import { SpecterError } from '../../errors/index.js';
import type { User } from '../../managers/users/index.js';
import { MAX_RECIPIENTS } from '../../managers/psbt/index.js';

/** A base64 PSBT of a large consolidation stays far below this; it bounds what a request may make us parse. */
const MAX_PSBT_TEXT = 4_000_000;

const aliasParams = z.object({ alias: z.string().min(1) });
const txParams = z.object({ alias: z.string().min(1), txid: z.string().regex(/^[0-9a-f]{64}$/, 'must be a transaction id (64 hex digits)') });
const sats = z.number({ error: 'must be a whole number of satoshis' }).int('must be a whole number of satoshis');
const createBody = z.strictObject({
  recipients: z
    .array(
      z.strictObject({
        address: z.string().min(1).max(200),
        amount: sats,
        label: z.string().max(256).optional(),
      }),
    )
    .min(1, 'give at least one recipient')
    .max(MAX_RECIPIENTS),
  // Range checks (above 0, the high-fee confirmation) are the manager's, with their own error code.
  fee_rate: z.number({ error: '"fee_rate" must be a number (sat/vB)' }),
  confirm_high_fee: z.boolean().optional(),
  subtract_fee_from: z.array(z.number().int().nonnegative()).max(MAX_RECIPIENTS).optional(),
  utxos: z
    .array(z.string().regex(/^[0-9a-f]{64}:\d{1,6}$/, 'each coin is "txid:vout"'))
    .max(10_000)
    .optional(),
  rbf: z.boolean().optional(),
});
const signaturesBody = z.strictObject({ psbt: z.string().min(1).max(MAX_PSBT_TEXT) });
const replaceBody = z.strictObject({
  fee_rate: z.number({ error: '"fee_rate" must be a number (sat/vB)' }),
  confirm_high_fee: z.boolean().optional(),
});

export function registerPsbtApi(scope: FastifyInstance, specter: Specter): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const userOf = (request: { user: User | undefined }): User => {
    if (!request.user) throw new SpecterError('AUTH_REQUIRED', 'This API needs credentials.');
    return request.user;
  };
  const psbts = specter.psbts;

  api.post(
    '/wallets/:alias/psbts',
    { schema: { params: aliasParams, body: createBody }, config: { access: 'user', endpoint: 'api_psbts.create' } },
    async (request, reply) => {
      const created = await psbts.create(userOf(request), request.params.alias, request.body);
      return reply.code(201).send(created);
    },
  );
  api.get('/wallets/:alias/psbts', { schema: { params: aliasParams }, config: { access: 'user', endpoint: 'api_psbts.list' } }, async (request) => ({
    psbts: await psbts.list(userOf(request), request.params.alias),
  }));
  api.get(
    '/wallets/:alias/psbts/:txid',
    { schema: { params: txParams }, config: { access: 'user', endpoint: 'api_psbts.get' } },
    async (request) => ({
      psbt: await psbts.get(userOf(request), request.params.alias, request.params.txid),
    }),
  );
  api.post(
    '/wallets/:alias/psbts/:txid/signatures',
    { schema: { params: txParams, body: signaturesBody }, config: { access: 'user', endpoint: 'api_psbts.signatures' } },
    async (request) => psbts.addSignatures(userOf(request), request.params.alias, request.params.txid, request.body.psbt),
  );
  api.post(
    '/wallets/:alias/psbts/:txid/broadcast',
    { schema: { params: txParams }, config: { access: 'user', endpoint: 'api_psbts.broadcast' } },
    async (request) => psbts.broadcast(userOf(request), request.params.alias, request.params.txid),
  );
  for (const action of ['bump', 'cancel'] as const) {
    api.post(
      `/wallets/:alias/transactions/:txid/${action}`,
      { schema: { params: txParams, body: replaceBody }, config: { access: 'user', endpoint: `api_psbts.${action}` } },
      async (request, reply) => {
        const created = await psbts.replace(userOf(request), request.params.alias, request.params.txid, request.body, action === 'cancel');
        return reply.code(201).send(created);
      },
    );
  }
  api.delete(
    '/wallets/:alias/psbts/:txid',
    { schema: { params: txParams }, config: { access: 'user', endpoint: 'api_psbts.delete' } },
    async (request) => {
      await psbts.remove(userOf(request), request.params.alias, request.params.txid);
      return { deleted: request.params.txid };
    },
  );
}
