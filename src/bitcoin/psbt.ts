/**
 * PSBTs (BIP-174, version 0) and recipient addresses with bitcoinjs-lib.
 *
 * - What the app keeps and hands to devices is a version 0 PSBT: most hardware wallets and
 *   Electrum 4.3 read only v0. Version 2 copies coming back are read through Bitcoin Core
 *   (`decodepsbt`) by the caller; {@link readSigned} only tells them apart.
 * - Two PSBTs (or a PSBT and a raw transaction) are "the same transaction" when their unsigned
 *   transactions are equal: same version, lock time, inputs (outpoint and sequence) and outputs.
 *   {@link unsignedTxid} hashes exactly that, so a legacy input's scriptSig does not matter.
 *
 * Taproot addresses need an elliptic-curve library in bitcoinjs-lib's address module: the WASM
 * tiny-secp256k1 is set up once, the first time an address is checked.
 */
import { toOutputScript, fromOutputScript } from 'bitcoinjs-lib/src/address';
import { initEccLib } from 'bitcoinjs-lib/src/ecc_lib';
import { Psbt } from 'bitcoinjs-lib/src/psbt';
import { witnessStackToScriptWitness } from 'bitcoinjs-lib/src/psbt/psbtutils';
import { decompile } from 'bitcoinjs-lib/src/script';
import { Transaction } from 'bitcoinjs-lib/src/transaction';
import * as ecc from 'tiny-secp256k1';
import { SpecterError } from '../errors/index.js';
import { NETWORKS, NETWORK_NAMES, type NetworkName } from './networks.js';

export { Psbt, Transaction, witnessStackToScriptWitness };

let eccReady = false;
function ensureEcc(): void {
  if (eccReady) return;
  initEccLib(ecc);
  eccReady = true;
}

/**
 * The output script of `address` on `network`. PSBT_WRONG_NETWORK when it is a valid address of
 * another network (a `bc1…` for a regtest wallet), PSBT_INVALID_ADDRESS when it is none at all.
 */
export function addressScript(address: string, network: NetworkName, index?: number): Uint8Array {
  ensureEcc();
  const details = { address, ...(index === undefined ? {} : { index }) };
  try {
    return toOutputScript(address, NETWORKS[network]);
  } catch {
    // bitcoinjs-lib accepts upper-case bech32 only as a whole; the others are simply not addresses.
  }
  const other = NETWORK_NAMES.find((n) => {
    if (n === network) return false;
    try {
      toOutputScript(address, NETWORKS[n]);
      return true;
    } catch {
      return false;
    }
  });
  if (other) {
    throw new SpecterError(
      'PSBT_WRONG_NETWORK',
      `${address} is an address of ${other === 'main' ? 'mainnet' : other}, not of this wallet's network (${network}).`,
      {
        hint: `Ask the payee for an address of the ${network} network.`,
        details: { ...details, network: other },
      },
    );
  }
  throw new SpecterError('PSBT_INVALID_ADDRESS', `"${address}" is not a Bitcoin address.`, {
    hint: 'Copy the address again from the payee; a single wrong character makes its checksum fail.',
    details,
  });
}

/** The address of an output script, or null (OP_RETURN, bare multisig, unknown scripts). */
export function scriptAddress(script: Uint8Array, network: NetworkName): string | null {
  ensureEcc();
  try {
    return fromOutputScript(script, NETWORKS[network]);
  } catch {
    return null;
  }
}

/** Legacy (non-segwit) output script: P2PKH or P2SH. Their dust limit is the highest (546 sats). */
export function isLegacyScript(script: Uint8Array): boolean {
  return script[0] === 0x76 || (script.length === 23 && script[0] === 0xa9);
}

/** What an uploaded signature is. */
export type SignedInput =
  | { kind: 'psbt'; psbt: Psbt }
  /** A PSBT bitcoinjs-lib cannot read (version 2): base64, for Bitcoin Core to decode. */
  | { kind: 'psbt-other'; base64: string }
  | { kind: 'tx'; tx: Transaction };

const MAGIC = Buffer.from('70736274ff', 'hex');

function corrupt(why: string): SpecterError {
  return new SpecterError('PSBT_CORRUPT', `This is not a PSBT or a raw transaction: ${why}.`, {
    hint: 'Export the signed PSBT from the device again (base64 text, hex or the binary .psbt file) and upload all of it.',
  });
}

/** Read a PSBT (base64, hex or binary) or a final raw transaction (hex). PSBT_CORRUPT otherwise. */
export function readSigned(input: string | Uint8Array): SignedInput {
  let bytes: Buffer;
  if (typeof input === 'string') {
    const text = input.replace(/\s+/g, '');
    if (!text) throw corrupt('it is empty');
    if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) bytes = Buffer.from(text, 'hex');
    else if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) bytes = Buffer.from(text, 'base64');
    else throw corrupt('it is neither base64 nor hex');
  } else {
    bytes = Buffer.from(input);
    // A .psbt file may hold the base64 text instead of the bytes.
    if (!bytes.subarray(0, 5).equals(MAGIC)) return readSigned(bytes.toString('latin1'));
  }
  if (bytes.subarray(0, 5).equals(MAGIC)) {
    try {
      return { kind: 'psbt', psbt: Psbt.fromBuffer(bytes) };
    } catch (err) {
      // bitcoinjs-lib reads only version 0; a version (0xfb) entry says which one this is.
      if (bytes.includes(Buffer.from('01fb04', 'hex'))) return { kind: 'psbt-other', base64: bytes.toString('base64') };
      throw corrupt(`the PSBT does not parse (${(err as Error).message})`);
    }
  }
  try {
    const tx = Transaction.fromBuffer(bytes);
    if (!tx.ins.length || !tx.outs.length) throw new Error('no inputs or no outputs');
    return { kind: 'tx', tx };
  } catch (err) {
    throw corrupt(`it does not start with the PSBT magic bytes and is not a transaction (${(err as Error).message})`);
  }
}

export interface UnsignedShape {
  version: number;
  locktime: number;
  inputs: ReadonlyArray<{ txid: string; vout: number; sequence: number }>;
  outputs: ReadonlyArray<{ script: Uint8Array; value: bigint }>;
}

/** The id of the transaction with empty scriptSigs and witnesses: what signing never changes. */
export function unsignedTxid(shape: UnsignedShape): string {
  const tx = new Transaction();
  tx.version = shape.version;
  tx.locktime = shape.locktime;
  for (const i of shape.inputs) tx.addInput(Buffer.from(i.txid, 'hex').reverse(), i.vout, i.sequence);
  for (const o of shape.outputs) tx.addOutput(o.script, o.value);
  return tx.getId();
}

const txidOf = (hash: Uint8Array): string => Buffer.from(hash).reverse().toString('hex');

export function psbtShape(psbt: Psbt): UnsignedShape {
  return {
    version: psbt.version,
    locktime: psbt.locktime,
    inputs: psbt.txInputs.map((i) => ({ txid: txidOf(i.hash), vout: i.index, sequence: i.sequence ?? 0xffffffff })),
    outputs: psbt.txOutputs.map((o) => ({ script: o.script, value: o.value })),
  };
}

export function transactionShape(tx: Transaction): UnsignedShape {
  return {
    version: tx.version,
    locktime: tx.locktime,
    inputs: tx.ins.map((i) => ({ txid: txidOf(i.hash), vout: i.index, sequence: i.sequence })),
    outputs: tx.outs.map((o) => ({ script: o.script, value: o.value })),
  };
}

/** The data pushes of a final input: witness items and scriptSig pushes (opcodes left out). */
export function finalPushes(tx: Transaction, index: number): Uint8Array[] {
  const input = tx.ins[index];
  if (!input) return [];
  const chunks = input.script.length ? (decompile(input.script) ?? []) : [];
  return [...input.witness, ...chunks.filter((c): c is Uint8Array => typeof c !== 'number')];
}
