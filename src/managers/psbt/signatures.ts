/**
 * Signed copies coming back from devices, merged into the pending PSBT.
 *
 * Accepted: a PSBT as base64, hex or binary, version 0 (bitcoinjs-lib combines it) or version 2
 * (Bitcoin Core's `decodepsbt` reads it and its signatures are copied into our version 0 copy),
 * or a final raw transaction (its scriptSigs and witnesses become the inputs' final fields). It
 * must be the same unsigned transaction (same inputs, outputs, version and lock time), else
 * PSBT_NOT_THIS_WALLET and nothing changes. When enough signatures are there, Core's
 * `finalizepsbt` completes it and the raw transaction is kept for broadcast.
 *
 * Uploading to a PSBT that is already complete is an idempotent no-op: the same answer again.
 */
import { SpecterError } from '../../errors/index.js';
import {
  Psbt,
  psbtShape,
  readSigned,
  Transaction,
  transactionShape,
  unsignedTxid,
  witnessStackToScriptWitness,
  type SignedInput,
  type UnsignedShape,
} from '../../bitcoin/psbt.js';
import { btcToSats } from '../chain/amounts.js';
import type { PsbtContext } from './create.js';
import type { PendingPsbt } from './pending-store.js';
import { finalSigners, signedFingerprints } from './review.js';

export interface SignaturesResult {
  complete: boolean;
  psbt: string;
  hex?: string;
  signed_by: string[];
}

/** What Core's decodepsbt says of a PSBT (the parts used here). */
interface DecodedPsbt {
  psbt_version?: number;
  tx_version?: number;
  fallback_locktime?: number;
  inputs: Array<{
    previous_txid?: string;
    previous_vout?: number;
    sequence?: number;
    partial_signatures?: Record<string, string>;
    final_scriptSig?: { hex: string };
    final_scriptwitness?: string[];
  }>;
  outputs: Array<{ amount?: number; script?: { hex: string } }>;
}

function shapeOfDecoded(d: DecodedPsbt): UnsignedShape {
  return {
    version: d.tx_version ?? 2,
    locktime: d.fallback_locktime ?? 0,
    inputs: d.inputs.map((i) => ({ txid: i.previous_txid ?? '', vout: i.previous_vout ?? 0, sequence: i.sequence ?? 0xffffffff })),
    outputs: d.outputs.map((o) => ({ script: Buffer.from(o.script?.hex ?? '', 'hex'), value: BigInt(btcToSats(o.amount ?? 0)) })),
  };
}

function notThisTransaction(record: PendingPsbt, got: string): SpecterError {
  return new SpecterError(
    'PSBT_NOT_THIS_WALLET',
    `This is another transaction (${got}), not the pending PSBT ${record.txid}: it spends other coins or pays other outputs.`,
    {
      hint: 'Upload the signed copy of this PSBT; sign the PSBT shown for this transaction on the device.',
      details: { txid: record.txid, uploaded: got },
    },
  );
}

/** Copy final fields and new partial signatures of one decoded input into our PSBT. */
function mergeDecodedInput(psbt: Psbt, i: number, input: DecodedPsbt['inputs'][number]): void {
  const data = psbt.data.inputs[i]!;
  if (data.finalScriptSig || data.finalScriptWitness) return;
  if (input.final_scriptwitness?.length || input.final_scriptSig) {
    psbt.updateInput(i, {
      ...(input.final_scriptwitness?.length
        ? { finalScriptWitness: witnessStackToScriptWitness(input.final_scriptwitness.map((w) => Buffer.from(w, 'hex'))) }
        : {}),
      ...(input.final_scriptSig ? { finalScriptSig: Buffer.from(input.final_scriptSig.hex, 'hex') } : {}),
    });
    return;
  }
  const have = new Set((data.partialSig ?? []).map((s) => Buffer.from(s.pubkey).toString('hex')));
  const add = Object.entries(input.partial_signatures ?? {})
    .filter(([pubkey]) => !have.has(pubkey))
    .map(([pubkey, sig]) => ({ pubkey: Buffer.from(pubkey, 'hex'), signature: Buffer.from(sig, 'hex') }));
  if (add.length) psbt.updateInput(i, { partialSig: add });
}

/** Merge `signed` into `stored` (same transaction checked by the caller). */
function merge(stored: Psbt, signed: SignedInput, decoded: DecodedPsbt | undefined): void {
  if (signed.kind === 'psbt') {
    stored.combine(signed.psbt);
  } else if (signed.kind === 'psbt-other') {
    for (const [i, input] of decoded!.inputs.entries()) mergeDecodedInput(stored, i, input);
  } else {
    for (const [i, input] of signed.tx.ins.entries()) {
      mergeDecodedInput(stored, i, {
        ...(input.witness.length ? { final_scriptwitness: input.witness.map((w) => Buffer.from(w).toString('hex')) } : {}),
        ...(input.script.length ? { final_scriptSig: { hex: Buffer.from(input.script).toString('hex') } } : {}),
      });
    }
  }
}

export async function addSignatures(ctx: PsbtContext, record: PendingPsbt, text: string): Promise<{ record: PendingPsbt; result: SignaturesResult }> {
  const signed = readSigned(text);
  let decoded: DecodedPsbt | undefined;
  let shape: UnsignedShape;
  if (signed.kind === 'psbt') shape = psbtShape(signed.psbt);
  else if (signed.kind === 'tx') shape = transactionShape(signed.tx);
  else {
    try {
      decoded = await ctx.rpc.call<DecodedPsbt>('decodepsbt', [signed.base64]);
    } catch (err) {
      throw new SpecterError(
        'PSBT_CORRUPT',
        `Bitcoin Core cannot read this PSBT either: ${String((err as SpecterError).details?.rpcMessage ?? (err as Error).message)}.`,
        {
          hint: 'Export the signed PSBT from the device again and upload all of it.',
          cause: err,
        },
      );
    }
    shape = shapeOfDecoded(decoded);
  }
  const got = unsignedTxid(shape);
  if (got !== record.txid) throw notThisTransaction(record, got);
  const answer = (r: PendingPsbt): SignaturesResult => ({
    complete: r.complete,
    psbt: r.psbt,
    ...(r.hex ? { hex: r.hex } : {}),
    signed_by: r.signed_by,
  });
  if (record.complete) return { record, result: answer(record) };

  const stored = Psbt.fromBase64(record.psbt);
  merge(stored, signed, decoded);
  const signedBy = [...new Set([...record.signed_by, ...signedFingerprints(stored, ctx.wallet)])];
  let next: PendingPsbt = { ...record, psbt: stored.toBase64(), signed_by: signedBy };
  const finalized = await ctx.rpc.call<{ psbt?: string; complete: boolean }>('finalizepsbt', [next.psbt, false]);
  if (finalized.complete && finalized.psbt) {
    const extracted = await ctx.rpc.call<{ hex?: string; complete: boolean }>('finalizepsbt', [finalized.psbt, true]);
    next = { ...next, psbt: finalized.psbt, complete: true, hex: extracted.hex ?? null };
    if (extracted.hex) {
      const fromFinal = finalSigners(stored, Transaction.fromHex(extracted.hex), ctx.wallet);
      next.signed_by = [...new Set([...next.signed_by, ...fromFinal])];
    }
  }
  return { record: next, result: answer(next) };
}
