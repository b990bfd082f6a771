/**
 * Broadcast a complete pending PSBT: Bitcoin Core's `testmempoolaccept` first, so a refusal comes
 * back with Core's reason (in words) and nothing is sent; then `sendrawtransaction`.
 */
import { SpecterError } from '../../errors/index.js';
import type { WalletRpc } from '../nodes/rpc-client.js';
import type { PendingPsbt } from './pending-store.js';

interface MempoolAccept {
  txid: string;
  allowed: boolean;
  'reject-reason'?: string;
  'reject-details'?: string;
}

/** Core's reject reasons (validation.cpp, policy) people meet most, said plainly. */
const REASONS: Array<[RegExp, string]> = [
  [/min relay fee not met|mempool min fee not met/, 'the fee is below the minimum this node relays'],
  [/insufficient fee/, 'the fee is too low to replace the transaction it conflicts with'],
  [/max-fee-exceeded|absurdly-high-fee/, "the fee is above the node's maximum fee rate (maxfeerate)"],
  [/bad-txns-inputs-missingorspent|missing-inputs/, 'its coins are already spent or unknown to the node'],
  [/mandatory-script-verify-flag|script-verify/, 'a signature is missing or invalid'],
  [/dust/, 'an output is below the dust limit'],
  [/non-final/, 'its lock time is still in the future'],
  [/txn-mempool-conflict/, 'another transaction in the mempool spends the same coins'],
];

export function rejectReasonInWords(reason: string): string {
  return REASONS.find(([re]) => re.test(reason))?.[1] ?? 'Bitcoin Core does not accept it';
}

/** Resolves to the broadcast txid; PSBT_REJECTED or PSBT_ALREADY_BROADCAST otherwise (nothing sent). */
export async function broadcast(rpc: WalletRpc, record: PendingPsbt, need: number): Promise<string> {
  if (!record.complete || !record.hex) {
    throw new SpecterError(
      'VALIDATION',
      `The PSBT ${record.txid} is not fully signed yet (${record.signed_by.length} of ${need} signatures): it cannot be broadcast.`,
      { hint: 'Upload the signed copies from the devices first.', details: { txid: record.txid } },
    );
  }
  const [accept] = await rpc.call<MempoolAccept[]>('testmempoolaccept', [[record.hex]]);
  if (!accept) throw new SpecterError('RPC_BAD_RESPONSE', 'Bitcoin Core answered testmempoolaccept with nothing.');
  if (!accept.allowed) {
    const reason = accept['reject-reason'] ?? 'unknown';
    if (/txn-already-known|txn-already-in-mempool|txn-same-nonwitness-data-in-mempool/.test(reason) || (await known(rpc, accept.txid))) {
      throw new SpecterError('PSBT_ALREADY_BROADCAST', `The transaction ${accept.txid} was already broadcast.`, {
        hint: "It is in the wallet's history; there is nothing more to do.",
        details: { txid: accept.txid, reason },
      });
    }
    throw new SpecterError('PSBT_REJECTED', `Bitcoin Core refused the transaction: ${rejectReasonInWords(reason)} (${reason}).`, {
      hint: 'Nothing was broadcast. Create the transaction again (another fee rate, other coins) or sign it again.',
      details: { txid: accept.txid, reason, ...(accept['reject-details'] ? { reject_details: accept['reject-details'] } : {}) },
    });
  }
  return rpc.call<string>('sendrawtransaction', [record.hex]);
}

/** The wallet already knows the transaction (broadcast before, maybe confirmed). */
async function known(rpc: WalletRpc, txid: string): Promise<boolean> {
  try {
    await rpc.call('gettransaction', [txid]);
    return true;
  } catch {
    return false;
  }
}
