/**
 * What a PSBT does, for the review before signing and for the API: every input and output with
 * its address, satoshis and whose it is (the wallet's receive or change addresses, or external),
 * the fee, the fee rate, and who has signed. A key of the wallet has signed when every input holds
 * a partial signature whose public key's BIP-32 derivation carries that key's master fingerprint
 * (what a device adds when it signs); finalizing removes partial signatures, so the signers seen
 * before are kept with the pending PSBT and passed in.
 */
import { finalPushes, Transaction, scriptAddress, type Psbt } from '../../bitcoin/psbt.js';
import type { Wallet } from '../wallets/index.js';
import { addressOwnership, feeRate, type TxOwnership } from '../chain/tx-detail.js';

export interface PsbtInputView {
  txid: string;
  vout: number;
  address: string | null;
  /** Satoshis; null when the PSBT carries no UTXO for the input. */
  amount: number | null;
  ownership: Exclude<TxOwnership, 'unknown'>;
}

export interface PsbtOutputView {
  vout: number;
  address: string | null;
  amount: number;
  ownership: Exclude<TxOwnership, 'unknown'>;
  label: string | null;
}

export interface PsbtSigner {
  fingerprint: string;
  signed: boolean;
}

export interface PsbtReview {
  txid: string;
  inputs: PsbtInputView[];
  outputs: PsbtOutputView[];
  /** What leaves the wallet: the external outputs, satoshis. */
  amount: number;
  fee: number;
  /** sat/vB, one decimal. */
  fee_rate: number | null;
  vsize: number;
  signers: PsbtSigner[];
  signed_by: string[];
  /** "2 of 3": signatures there and needed. */
  signatures: { have: number; need: number; of: number };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The spent output of input i, from witness_utxo or non_witness_utxo. */
function spentOutput(psbt: Psbt, i: number): { script: Uint8Array; value: bigint } | undefined {
  const data = psbt.data.inputs[i]!;
  if (data.witnessUtxo) return data.witnessUtxo;
  if (data.nonWitnessUtxo) return Transaction.fromBuffer(data.nonWitnessUtxo).outs[psbt.txInputs[i]!.index];
  return undefined;
}

/** Master fingerprints (hex) with a partial signature on input i. */
function signersOfInput(psbt: Psbt, i: number): Set<string> {
  const data = psbt.data.inputs[i]!;
  const out = new Set<string>();
  for (const sig of data.partialSig ?? []) {
    const pub = hex(sig.pubkey);
    for (const d of data.bip32Derivation ?? []) if (hex(d.pubkey) === pub) out.add(hex(d.masterFingerprint));
  }
  return out;
}

/** Fingerprints of the wallet's keys that signed every input of the PSBT. */
export function signedFingerprints(psbt: Psbt, wallet: Wallet): string[] {
  const keys = wallet.descriptor.keys.map((k) => k.fingerprint).filter((f): f is string => !!f);
  const perInput = psbt.txInputs.map((_, i) => signersOfInput(psbt, i));
  return keys.filter((fp) => perInput.length > 0 && perInput.every((s) => s.has(fp)));
}

/**
 * Fingerprints of the wallet's keys whose public key a final transaction pushes on every input as
 * a key of its own (single-key spends: wpkh's witness, pkh's scriptSig): a signer that finalized
 * its copy leaves no partial signatures. A multisig witness names its keys only inside the
 * script, which says nothing about who signed, so it counts nobody.
 */
export function finalSigners(psbt: Psbt, tx: Transaction, wallet: Wallet): string[] {
  const keys = wallet.descriptor.keys.map((k) => k.fingerprint).filter((f): f is string => !!f);
  const perInput = psbt.txInputs.map((_, i) => {
    const pushed = new Set(finalPushes(tx, i).map(hex));
    return new Set((psbt.data.inputs[i]!.bip32Derivation ?? []).filter((d) => pushed.has(hex(d.pubkey))).map((d) => hex(d.masterFingerprint)));
  });
  return keys.filter((fp) => perInput.length > 0 && perInput.every((s) => s.has(fp)));
}

export function reviewPsbt(
  psbt: Psbt,
  wallet: Wallet,
  known: { txid: string; vsize: number; signedBy: readonly string[]; labels?: Readonly<Record<string, string>> },
): PsbtReview {
  const inputs: PsbtInputView[] = psbt.txInputs.map((input, i) => {
    const spent = spentOutput(psbt, i);
    const address = spent ? scriptAddress(spent.script, wallet.network) : null;
    return {
      txid: Buffer.from(input.hash).reverse().toString('hex'),
      vout: input.index,
      address,
      amount: spent ? Number(spent.value) : null,
      ownership: addressOwnership(wallet, address),
    };
  });
  const outputs: PsbtOutputView[] = psbt.txOutputs.map((o, vout) => {
    const address = scriptAddress(o.script, wallet.network);
    const ownership = addressOwnership(wallet, address);
    const label = address === null ? null : (known.labels?.[address] ?? (ownership === 'external' ? null : wallet.getAddressInfo(address).label));
    return { vout, address, amount: Number(o.value), ownership, label };
  });
  const totalIn = inputs.every((i) => i.amount !== null) ? inputs.reduce((s, i) => s + i.amount!, 0) : null;
  const totalOut = outputs.reduce((s, o) => s + o.amount, 0);
  const fee = totalIn === null ? 0 : totalIn - totalOut;
  const keys = wallet.descriptor.keys.map((k) => k.fingerprint).filter((f): f is string => !!f);
  const signed = new Set([...known.signedBy, ...signedFingerprints(psbt, wallet)]);
  const signers = keys.map((fingerprint) => ({ fingerprint, signed: signed.has(fingerprint) }));
  const have = signers.filter((s) => s.signed).length;
  return {
    txid: known.txid,
    inputs,
    outputs,
    amount: outputs.filter((o) => o.ownership === 'external').reduce((s, o) => s + o.amount, 0),
    fee,
    fee_rate: feeRate(fee, known.vsize),
    vsize: known.vsize,
    signers,
    signed_by: signers.filter((s) => s.signed).map((s) => s.fingerprint),
    signatures: { have, need: wallet.descriptor.threshold, of: keys.length },
  };
}
