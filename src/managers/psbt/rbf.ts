/**
 * Replace-by-fee for an unconfirmed send of the wallet, with Bitcoin Core's `psbtbumpfee` on the
 * watch-only wallet: Core checks that the transaction is the wallet's, unconfirmed, replaceable
 * and without descendants, and that the new fee pays for the replacement (BIP-125).
 *
 * - bump: the same payments at a higher fee rate; the change output pays the difference.
 * - cancel: one output to the wallet's next change address takes everything (the payments are
 *   dropped); Core takes the fee from it.
 *
 * The answer is a new PSBT (version 0) that must be signed again; it becomes a pending PSBT that
 * `replaces` the original.
 */
import { SpecterError } from '../../errors/index.js';
import { Psbt } from '../../bitcoin/psbt.js';
import { rpcErrorCode, RPC_CODES } from '../nodes/rpc-errors.js';
import { btcToSats, satsToBtc } from '../chain/amounts.js';
import { ensureCoreRange } from '../chain/core-link.js';
import { checkFeeRate, type PsbtContext } from './create.js';

export interface ReplaceRequest {
  /** sat/vB of the replacement. */
  fee_rate: number;
  confirm_high_fee?: boolean | undefined;
}

export interface Replacement {
  psbt: Psbt;
  fee: number;
  /** The replaced transaction's fee. */
  origFee: number;
}

function refused(txid: string, err: unknown): unknown {
  const message = err instanceof SpecterError ? String(err.details.rpcMessage ?? '') : '';
  if (!message) return err;
  if (rpcErrorCode(err) === RPC_CODES.INVALID_ADDRESS_OR_KEY) {
    return new SpecterError('NOT_FOUND', `Transaction ${txid} is not one of this wallet's.`, { details: { txid }, cause: err });
  }
  if (/fee/i.test(message) && /insufficient|too low|at least|must be/i.test(message)) {
    return new SpecterError('PSBT_FEE_RATE', `The fee rate is too low to replace ${txid}: ${message}`, {
      hint: 'A replacement must pay a higher fee rate than the original (at least 1 sat/vB more); choose a higher one.',
      details: { txid },
      cause: err,
    });
  }
  return new SpecterError('PSBT_REJECTED', `Bitcoin Core cannot replace ${txid}: ${message}`, {
    hint: 'Only unconfirmed, replaceable (RBF) sends of this wallet without later spends can be replaced.',
    details: { txid },
    cause: err,
  });
}

/** A replacement of `txid` (bump, or with `cancel` everything back to the wallet's change); nothing stored. */
export async function replacePsbt(ctx: PsbtContext, txid: string, request: ReplaceRequest, cancel: boolean): Promise<Replacement> {
  const feeRate = checkFeeRate(request.fee_rate, request.confirm_high_fee);
  const options: Record<string, unknown> = { fee_rate: feeRate };
  let changeIndex: number | undefined;
  if (cancel) {
    // Everything the original spends, less its fee, to one change output; Core's bump takes the extra fee from it.
    let tx: { fee?: number; amount: number; decoded?: { vout: Array<{ value: number }> }; confirmations: number };
    try {
      tx = await ctx.rpc.call('gettransaction', { txid, verbose: true });
    } catch (err) {
      throw refused(txid, err);
    }
    const outputs = (tx.decoded?.vout ?? []).reduce((s, o) => s + btcToSats(o.value), 0);
    changeIndex = ctx.wallet.changeIndex;
    const address = await ctx.wallet.getAddress(changeIndex, true);
    await ensureCoreRange(ctx.rpc, ctx.wallet);
    options.outputs = [{ [address]: satsToBtc(outputs) }];
  }
  const params: Record<string, unknown> = { txid, options };
  if (ctx.info.version >= 300_000) options.psbt_version = 0;
  let answer: { psbt: string; fee: number; origfee: number };
  try {
    answer = await ctx.rpc.call('psbtbumpfee', params);
  } catch (err) {
    if (options.psbt_version !== undefined && /psbt_version/.test(String((err as SpecterError).details?.rpcMessage ?? ''))) {
      delete options.psbt_version;
      try {
        answer = await ctx.rpc.call('psbtbumpfee', params);
      } catch (again) {
        throw refused(txid, again);
      }
    } else {
      throw refused(txid, err);
    }
  }
  if (changeIndex !== undefined) await ctx.wallet.changeUsedBy(changeIndex);
  return { psbt: Psbt.fromBase64(answer.psbt), fee: btcToSats(answer.fee), origFee: btcToSats(answer.origfee) };
}
