/**
 * Create a PSBT with Bitcoin Core's `walletcreatefundedpsbt` on the wallet's watch-only wallet:
 * Core selects the coins, computes the fee for the descriptor's real spending size and fills
 * witness_utxo, non_witness_utxo and the BIP-32 derivations of every key (inputs and change).
 *
 * Everything a user can get wrong is checked first, with a clear error each (addresses and their
 * network, dust, the fee rate, coin control, the balance); Core's own refusals are translated
 * after. Amounts are integer satoshis here and BTC decimal text for Core (satsToBtc), never
 * floats. The change goes to the wallet's next change address, and the change index moves on.
 */
import { SpecterError } from '../../errors/index.js';
import { addressScript, isLegacyScript, Psbt } from '../../bitcoin/psbt.js';
import type { NodeInfo } from '../nodes/core-wallets.js';
import type { WalletRpc } from '../nodes/rpc-client.js';
import { RPC_CODES, rpcErrorCode } from '../nodes/rpc-errors.js';
import type { Wallet } from '../wallets/index.js';
import { btcToSats, satsToBtc } from '../chain/amounts.js';
import type { ChainState } from '../chain/chain-state.js';
import { parseOutpoint } from '../chain/coins.js';
import { ensureCoreRange } from '../chain/core-link.js';
import type { PendingPsbtStore } from './pending-store.js';

/** Above this a fee rate needs `confirm_high_fee` (Specter's warning level; Core's own cap is maxfeerate). */
export const HIGH_FEE_RATE = 1_000;
/** Most recipients in one transaction. */
export const MAX_RECIPIENTS = 1_000;

export interface Recipient {
  address: string;
  /** Satoshis (ignored with send_all). */
  amount?: number | undefined;
  label?: string | undefined;
}

export interface CreatePsbtRequest {
  recipients: Recipient[];
  /** sat/vB. */
  fee_rate: number;
  /** Needed for a fee rate above {@link HIGH_FEE_RATE}. */
  confirm_high_fee?: boolean | undefined;
  /** Recipient indexes that pay the fee (their amounts shrink). */
  subtract_fee_from?: number[] | undefined;
  /** Coin control: exactly these "txid:vout" are spent (no others are added). */
  utxos?: string[] | undefined;
  /** BIP-125 replaceable (default true). */
  rbf?: boolean | undefined;
  /** Everything spendable (or every chosen coin) to the one recipient, less the fee; no change. */
  send_all?: boolean | undefined;
}

/** What a wallet call to Core needs. */
export interface PsbtContext {
  rpc: WalletRpc;
  state: ChainState;
  info: NodeInfo;
  wallet: Wallet;
  pending: PendingPsbtStore;
}

export interface CreatedPsbt {
  psbt: Psbt;
  fee: number;
  /** Output index of the change, -1 without change. */
  changepos: number;
  /** The change address offered to Core (used when changepos ≥ 0). */
  changeAddress: string;
  changeIndex: number;
}

/** Core's dust threshold at its default dust relay fee (3 sat/vB): output size plus the size to spend it. */
export function dustLimit(script: Uint8Array): number {
  const outputSize = 8 + (script.length < 0xfd ? 1 : 3) + script.length;
  const spendSize = isLegacyScript(script) ? 148 : 67;
  return 3 * (outputSize + spendSize);
}

function validation(message: string, field: string, hint?: string): SpecterError {
  return new SpecterError('VALIDATION', message, { details: { field }, ...(hint ? { hint } : {}) });
}

/** The fee rate as Core takes it (sat/vB, at most 3 decimals). */
export function checkFeeRate(rate: unknown, confirmed: boolean | undefined): number {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new SpecterError('PSBT_FEE_RATE', `The fee rate must be a number of sat/vB above 0, got ${String(rate)}.`, {
      hint: 'Give a fee rate like 1, 2.5 or 20 (sat/vB); 1 is the lowest most nodes relay.',
      details: { field: 'fee_rate' },
    });
  }
  if (rate > HIGH_FEE_RATE && !confirmed) {
    throw new SpecterError('PSBT_FEE_RATE', `A fee rate of ${rate} sat/vB is very high (above ${HIGH_FEE_RATE.toLocaleString('en-US')} sat/vB).`, {
      hint: 'Check the number; if you really mean it, confirm the high fee (confirm_high_fee: true).',
      details: { field: 'fee_rate', fee_rate: rate },
    });
  }
  return Math.round(rate * 1000) / 1000 || 0.001;
}

interface CoreUnspent {
  txid: string;
  vout: number;
  amount: number;
}

/** Check the request against the wallet and its coins; nothing is changed. */
async function check(
  ctx: PsbtContext,
  request: CreatePsbtRequest,
): Promise<{ feeRate: number; inputs: Array<{ txid: string; vout: number }>; spendable: Map<string, number> }> {
  const { recipients } = request;
  if (!Array.isArray(recipients) || recipients.length === 0) throw validation('Give at least one recipient (address and amount).', 'recipients');
  if (recipients.length > MAX_RECIPIENTS) throw validation(`At most ${MAX_RECIPIENTS} recipients fit one transaction.`, 'recipients');
  const seen = new Set<string>();
  recipients.forEach((r, index) => {
    if (r.amount === undefined || !Number.isSafeInteger(r.amount) || r.amount <= 0) {
      throw validation(
        `Recipient ${index + 1}: the amount must be a whole number of satoshis above 0, got ${String(r.amount)}.`,
        `recipients.${index}.amount`,
      );
    }
    const script = addressScript(String(r.address).trim(), ctx.wallet.network, index);
    const dust = dustLimit(script);
    if (r.amount < dust) {
      throw new SpecterError('PSBT_DUST', `Recipient ${index + 1}: ${r.amount} sats is below the dust limit of ${dust} sats for ${r.address}.`, {
        hint: `Send at least ${dust} sats to this address.`,
        details: { index, amount: r.amount, dust },
      });
    }
    const key = String(r.address).trim();
    if (seen.has(key))
      throw validation(`Recipient ${index + 1}: ${key} is listed twice; put the amounts together in one line.`, `recipients.${index}.address`);
    seen.add(key);
  });
  const feeRate = checkFeeRate(request.fee_rate, request.confirm_high_fee);
  const subtract = request.subtract_fee_from ?? [];
  for (const i of subtract) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= recipients.length) {
      throw validation(`subtract_fee_from holds ${String(i)}, which is not a recipient index (0 to ${recipients.length - 1}).`, 'subtract_fee_from');
    }
  }
  if (new Set(subtract).size !== subtract.length) throw validation('subtract_fee_from names a recipient twice.', 'subtract_fee_from');

  const total = recipients.reduce((s, r) => s + r.amount!, 0);
  const unspent = await ctx.rpc.call<CoreUnspent[]>('listunspent', [0]);
  const byOutpoint = new Map(unspent.map((u) => [`${u.txid}:${u.vout}`, btcToSats(u.amount)]));
  let inputs: Array<{ txid: string; vout: number }> = [];
  let available = [...byOutpoint.values()].reduce((s, a) => s + a, 0);
  if (request.utxos) {
    if (!request.utxos.length) throw validation('utxos is empty: choose at least one coin, or leave coin selection to the wallet.', 'utxos');
    const wanted = [...new Set(request.utxos.map((u) => parseOutpoint(u)).map((o) => `${o.txid}:${o.vout}`))];
    const frozen = new Set(ctx.state.frozen);
    const held = new Map((await ctx.pending.list()).flatMap((p) => p.inputs.map((o) => [o, p.txid] as const)));
    for (const o of wanted) {
      if (frozen.has(o)) throw validation(`The coin ${o} is frozen; unfreeze it first to spend it.`, 'utxos');
      if (held.has(o))
        throw validation(`The coin ${o} is held by the pending PSBT ${held.get(o)}; delete that PSBT first to spend it here.`, 'utxos');
      if (!byOutpoint.has(o)) {
        throw new SpecterError('UTXO_NOT_FOUND', `${o} is not an unspent output of this wallet.`, {
          hint: 'Sync the wallet and pick coins from its UTXO list.',
          details: { utxos: [o] },
        });
      }
    }
    inputs = wanted.map(parseOutpoint);
    available = wanted.reduce((s, o) => s + byOutpoint.get(o)!, 0);
  }
  if (total > available || (total === available && subtract.length === 0)) {
    throw new SpecterError(
      'PSBT_INSUFFICIENT_FUNDS',
      `${request.utxos ? 'The chosen coins hold' : 'The wallet can spend'} ${available} sats; the recipients need ${total} sats plus the fee.`,
      {
        hint: 'Send less, choose more coins, subtract the fee from an amount, or delete a pending PSBT holding coins.',
        details: { available, needed: total },
      },
    );
  }
  return { feeRate, inputs, spendable: byOutpoint };
}

/** Core's refusals of walletcreatefundedpsbt, in the catalogue's words. */
function translate(err: unknown): unknown {
  const message = err instanceof SpecterError ? String(err.details.rpcMessage ?? '') : '';
  if (!message) return err;
  if (/insufficient funds|exceeds your balance/i.test(message)) {
    return new SpecterError('PSBT_INSUFFICIENT_FUNDS', `Bitcoin Core cannot fund the transaction: ${message}.`, {
      hint: 'The amounts and the fee are more than the spendable coins: send less, or subtract the fee from an amount.',
      cause: err,
    });
  }
  if (/too small|dust/i.test(message)) {
    return new SpecterError('PSBT_DUST', `Bitcoin Core refused an amount as too small: ${message}.`, {
      hint: 'After subtracting the fee an amount would be dust: send more.',
      cause: err,
    });
  }
  if (/fee exceeds maximum|feerate|fee rate/i.test(message)) {
    return new SpecterError('PSBT_FEE_RATE', `Bitcoin Core refused the fee: ${message}.`, {
      hint: 'Use a lower fee rate (Core caps the fee with its maxtxfee setting).',
      cause: err,
    });
  }
  return err;
}

/**
 * "Send all" as an ordinary request: the one recipient gets every spendable coin (or every chosen
 * one), the fee subtracted from it. Spendable means what Core would spend on its own: confirmed,
 * or unconfirmed change of the wallet (`safe`); frozen coins and coins of pending PSBTs are locked
 * and so not listed.
 */
async function sendAllRequest(ctx: PsbtContext, request: CreatePsbtRequest): Promise<CreatePsbtRequest> {
  if (!Array.isArray(request.recipients) || request.recipients.length !== 1) {
    throw validation('"Send all" goes to exactly one recipient.', 'recipients');
  }
  if (request.subtract_fee_from?.some((i) => i !== 0)) throw validation('"Send all" takes the fee from its one recipient.', 'subtract_fee_from');
  const unspent = await ctx.rpc.call<Array<CoreUnspent & { safe: boolean }>>('listunspent', [0]);
  const coins = request.utxos ? unspent.filter((u) => request.utxos!.includes(`${u.txid}:${u.vout}`)) : unspent.filter((u) => u.safe);
  const utxos = request.utxos ?? coins.map((u) => `${u.txid}:${u.vout}`);
  const amount = coins.reduce((s, u) => s + btcToSats(u.amount), 0);
  if (!utxos.length || amount === 0) {
    throw new SpecterError('PSBT_INSUFFICIENT_FUNDS', 'The wallet has no spendable coins to send.', {
      hint: 'Wait for incoming payments to confirm, unfreeze coins, or delete a pending PSBT holding coins.',
      details: { available: 0 },
    });
  }
  return { ...request, recipients: [{ ...request.recipients[0]!, amount }], utxos, subtract_fee_from: [0] };
}

/** Fund a PSBT (version 0) on Core; nothing is stored or locked here. */
export async function fundPsbt(ctx: PsbtContext, asked: CreatePsbtRequest): Promise<CreatedPsbt> {
  const request = asked.send_all ? await sendAllRequest(ctx, asked) : asked;
  const { feeRate, inputs, spendable } = await check(ctx, request);
  const { wallet } = ctx;
  const changeIndex = wallet.changeIndex;
  const changeAddress = await wallet.getAddress(changeIndex, true);
  // Core only adds the change output's derivations when the address is in its watched range.
  await ensureCoreRange(ctx.rpc, wallet);
  const params: Record<string, unknown> = {
    inputs,
    outputs: request.recipients.map((r) => ({ [String(r.address).trim()]: satsToBtc(r.amount!) })),
    options: {
      add_inputs: !request.utxos,
      changeAddress,
      fee_rate: feeRate,
      subtractFeeFromOutputs: request.subtract_fee_from ?? [],
      replaceable: request.rbf ?? true,
      lockUnspents: false,
    },
    bip32derivs: true,
  };
  // Core 31 makes version 2 PSBTs unless asked; devices read version 0. Older Cores make v0 and know no such parameter.
  if (ctx.info.version >= 300_000) params.psbt_version = 0;
  let answer: { psbt: string; fee: number; changepos: number };
  try {
    answer = await callFunding(ctx, params, () => ({
      inputs: pickCoins(spendable, request, feeRate, ctx.wallet.descriptor),
      add_inputs: false,
    }));
  } catch (err) {
    if (
      params.psbt_version !== undefined &&
      rpcErrorCode(err) === RPC_CODES.INVALID_PARAMETER &&
      /psbt_version/.test(String((err as SpecterError).details.rpcMessage))
    ) {
      delete params.psbt_version;
      try {
        answer = await callFunding(ctx, params, () => ({
          inputs: pickCoins(spendable, request, feeRate, ctx.wallet.descriptor),
          add_inputs: false,
        }));
      } catch (again) {
        throw translate(again);
      }
    } else {
      throw translate(err);
    }
  }
  const psbt = Psbt.fromBase64(answer.psbt);
  if (answer.changepos >= 0) await wallet.changeUsedBy(changeIndex);
  return { psbt, fee: btcToSats(answer.fee), changepos: answer.changepos, changeAddress, changeIndex };
}

/**
 * walletcreatefundedpsbt, and when Core's own coin selection trips over its internal check "Fee
 * needed > fee paid" (it picked 253 coins or more, see MAX_FUNDED_INPUTS — with many small coins,
 * e.g. hundreds on one address, it groups them by address), the same request again with the coins
 * chosen here (`fallback`) and no more added by Core, which then only computes the fee and the change.
 */
async function callFunding(
  ctx: PsbtContext,
  params: Record<string, unknown>,
  fallback: () => { inputs: Array<{ txid: string; vout: number }>; add_inputs: false },
): Promise<{ psbt: string; fee: number; changepos: number }> {
  try {
    return await ctx.rpc.call('walletcreatefundedpsbt', params);
  } catch (err) {
    const options = params.options as Record<string, unknown>;
    if (!options.add_inputs || !/Fee needed > fee paid/.test(String((err as SpecterError).details?.rpcMessage ?? ''))) throw err;
    const { inputs, add_inputs } = fallback();
    return ctx.rpc.call('walletcreatefundedpsbt', { ...params, inputs, options: { ...options, add_inputs } });
  }
}

/**
 * Bitcoin Core 29 and 31 count a transaction's size with a one-byte input count; from 253 inputs
 * the count takes three bytes and Core stops with "Internal bug detected: Fee needed > fee paid".
 */
export const MAX_FUNDED_INPUTS = 252;

/** A generous virtual size of one input of the wallet (its signatures and script), for picking coins. */
function inputVbytes(descriptor: PsbtContext['wallet']['descriptor']): number {
  const keys = descriptor.keys.length;
  const sigs = descriptor.threshold ?? 1;
  // Witness bytes count a quarter; a legacy (pkh, sh) input pays full price: 150 + 74 per extra signature or key.
  return descriptor.scriptType === 'pkh' || descriptor.scriptType === 'sh' ? 150 + 74 * (sigs + keys) : 70 + 19 * sigs + 9 * keys;
}

/**
 * Coins for the payments, largest first, until they cover the amounts and the fee of that many
 * inputs (or, with the fee subtracted from an amount, the amounts alone). PSBT_INSUFFICIENT_FUNDS
 * when all of them do not.
 */
function pickCoins(
  spendable: Map<string, number>,
  request: CreatePsbtRequest,
  feeRate: number,
  descriptor: PsbtContext['wallet']['descriptor'],
): Array<{ txid: string; vout: number }> {
  const total = request.recipients.reduce((sum, r) => sum + r.amount!, 0);
  const perInput = feeRate * inputVbytes(descriptor);
  const base = request.subtract_fee_from?.length ? 0 : feeRate * (11 + 43 * (request.recipients.length + 1));
  const coins = [...spendable].sort((a, b) => b[1] - a[1]);
  const picked: Array<{ txid: string; vout: number }> = [];
  let sum = 0;
  for (const [outpoint, amount] of coins) {
    if (picked.length === MAX_FUNDED_INPUTS) {
      throw new SpecterError(
        'PSBT_TOO_MANY_INPUTS',
        `Paying ${total} sats takes more than ${MAX_FUNDED_INPUTS} of this wallet's coins (its ${MAX_FUNDED_INPUTS} largest hold ${sum} sats); Bitcoin Core cannot fund a transaction with that many inputs.`,
        {
          hint: `Send less first, or consolidate: send part of the balance to this wallet's own address in transactions of fewer than ${MAX_FUNDED_INPUTS + 1} coins, then pay.`,
          details: { needed: total, largestCoins: sum, maxInputs: MAX_FUNDED_INPUTS },
        },
      );
    }
    picked.push(parseOutpoint(outpoint));
    sum += amount;
    if (sum >= total + base + (request.subtract_fee_from?.length ? 0 : perInput * picked.length)) return picked;
  }
  throw new SpecterError(
    'PSBT_INSUFFICIENT_FUNDS',
    `The wallet's ${coins.length} spendable coins hold ${sum} sats; the payments need ${total} sats plus the fee.`,
    {
      hint: 'Send less, or subtract the fee from an amount.',
      details: { available: sum, needed: total },
    },
  );
}
