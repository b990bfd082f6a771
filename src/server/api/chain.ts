/**
 * The chain JSON API inside the `/api/v1` scope (amounts are integer satoshis):
 *
 *   GET  /api/v1/wallets/:alias/balance                     → {confirmed, unconfirmed, immature, frozen, available}
 *   GET  /api/v1/wallets/:alias/transactions?from=N&count=M  → {total, transactions: [{txid, category, amount, fee,
 *                                                               confirmations, blockheight, time, addresses, label}]}
 *                                                               newest first, `amount` the signed flow;
 *                                                               optional sort=date|amount|label and dir=desc|asc
 *   GET  /api/v1/wallets/:alias/transactions/:txid          → {transaction: {txid, category, amount, fee, fee_rate, vsize,
 *                                                               weight, size, confirmations, blockheight, blockhash, time,
 *                                                               label, hex, coinbase, inputs: [{txid, vout, address, amount,
 *                                                               ownership}], outputs: [{vout, address, amount, ownership}]}}
 *                                                               from the node now; ownership receive|change|external|unknown
 *   GET  /api/v1/wallets/:alias/utxos                       → {utxos: [{txid, vout, address, amount, confirmations, frozen}]}
 *   POST /api/v1/wallets/:alias/utxos/freeze {outpoints: ["txid:vout"], frozen}  → {outpoints}
 *   POST /api/v1/wallets/:alias/sync                        → syncs now and answers when done
 *   POST /api/v1/wallets/:alias/rescan {from_height}        → rescans from that height, answers when done
 *   GET  /api/v1/wallets/:alias/rescan                      → {active, progress, duration}
 *
 * The wallet is the current user's; without a node every route answers NODE_NONE (409) with the fix.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Specter } from '../../specter/index.js';
import { SpecterError } from '../../errors/index.js';
import type { User } from '../../managers/users/index.js';
import { HISTORY_SORTS, SORT_DIRS } from '../../managers/chain/index.js';

const MAX_PAGE = 1_000;
const aliasParams = z.object({ alias: z.string().min(1) });
const wholeNumber = (name: string) =>
  z
    .string({ error: (issue) => (Array.isArray(issue.input) ? `"${name}" is given more than once.` : undefined) })
    .regex(/^\d{1,10}$/, `"${name}" must be a whole number ≥ 0.`)
    .transform(Number);
const pageQuery = z.strictObject(
  {
    from: wholeNumber('from').default(0),
    count: wholeNumber('count')
      .default(50)
      .refine((n) => n >= 1 && n <= MAX_PAGE, `"count" must be from 1 to ${MAX_PAGE}.`),
    sort: z.enum(HISTORY_SORTS, { error: `"sort" must be one of ${HISTORY_SORTS.join(', ')}.` }).default('date'),
    dir: z.enum(SORT_DIRS, { error: `"dir" must be desc or asc.` }).default('desc'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `Unknown query parameter "${issue.keys[0]}"; use from=N, count=M, sort and dir.` : undefined,
  },
);
const txParams = z.object({ alias: z.string().min(1), txid: z.string().regex(/^[0-9a-f]{64}$/, 'must be a transaction id (64 hex digits)') });
const rescanBody = z.strictObject({
  from_height: z.number().int().nonnegative({ error: '"from_height" must be a block height (a whole number ≥ 0).' }),
});
const freezeBody = z.strictObject({
  outpoints: z
    .array(z.string().regex(/^[0-9a-f]{64}:\d{1,6}$/, 'each outpoint is "txid:vout"'))
    .min(1)
    .max(1_000),
  frozen: z.boolean().default(true),
});

export function registerChainApi(scope: FastifyInstance, specter: Specter): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const userOf = (request: { user: User | undefined }): User => {
    if (!request.user) throw new SpecterError('AUTH_REQUIRED', 'This API needs credentials.');
    return request.user;
  };
  const chain = specter.chain;

  api.get('/wallets/:alias/balance', { schema: { params: aliasParams } }, async (request) => chain.balance(userOf(request), request.params.alias));
  api.get('/wallets/:alias/transactions', { schema: { params: aliasParams, querystring: pageQuery } }, async (request) =>
    chain.history(userOf(request), request.params.alias, request.query),
  );
  api.get('/wallets/:alias/transactions/:txid', { schema: { params: txParams } }, async (request) => ({
    transaction: await chain.transactionDetail(userOf(request), request.params.alias, request.params.txid),
  }));
  api.get('/wallets/:alias/utxos', { schema: { params: aliasParams } }, async (request) => ({
    utxos: await chain.utxos(userOf(request), request.params.alias),
  }));
  api.post('/wallets/:alias/utxos/freeze', { schema: { params: aliasParams, body: freezeBody } }, async (request) => ({
    outpoints: await chain.freeze(userOf(request), request.params.alias, request.body.outpoints, request.body.frozen),
  }));
  api.post('/wallets/:alias/sync', { schema: { params: aliasParams } }, async (request) => chain.sync(userOf(request), request.params.alias));
  api.post('/wallets/:alias/rescan', { schema: { params: aliasParams, body: rescanBody } }, async (request) =>
    chain.rescan(userOf(request), request.params.alias, request.body.from_height),
  );
  api.get('/wallets/:alias/rescan', { schema: { params: aliasParams } }, async (request) =>
    chain.rescanStatus(userOf(request), request.params.alias),
  );
}
