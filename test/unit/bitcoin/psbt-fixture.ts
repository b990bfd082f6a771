/**
 * Real PSBTs made with bitcoinjs-lib for the transport tests: a 2-of-3 `wsh(sortedmulti)` wallet on
 * testnet, inputs with `witness_utxo`, the witness script and the BIP-32 derivations of all three
 * keys, a few recipients and a change output carrying its derivations (as Specter TS makes them).
 */
import { createHash } from 'node:crypto';
import { Psbt, payments } from 'bitcoinjs-lib';
import { bip32 } from '../../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../../src/bitcoin/networks.js';

const network = NETWORKS.test;
const roots = ['alice', 'bob', 'carol'].map((name) => bip32.fromSeed(createHash('sha256').update(`psbt-transport-${name}`).digest(), network));
const ACCOUNT = "m/48'/1'/0'/2'";

function multisig(branch: number, index: number) {
  const keys = roots.map((root) => {
    const path = `${ACCOUNT}/${branch}/${index}`;
    return { masterFingerprint: root.fingerprint, path, pubkey: root.derivePath(path).publicKey };
  });
  const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a.pubkey), Buffer.from(b.pubkey)));
  const redeem = payments.p2ms({ m: 2, pubkeys: sorted.map((k) => k.pubkey), network });
  const wsh = payments.p2wsh({ redeem, network });
  return { keys: sorted, witnessScript: redeem.output as Uint8Array, script: wsh.output as Uint8Array };
}

/** A PSBT (v0 bytes) spending `inputs` outputs of the wallet to `recipients` addresses plus change. */
export function multisigPsbt(options: { inputs?: number; recipients?: number } = {}): Uint8Array {
  const { inputs = 2, recipients = 3 } = options;
  const psbt = new Psbt({ network });
  for (let i = 0; i < inputs; i++) {
    const own = multisig(0, i);
    psbt.addInput({
      hash: createHash('sha256').update(`funding-${i}`).digest(),
      index: i % 3,
      sequence: 0xfffffffd,
      witnessUtxo: { script: own.script, value: 100_000n + BigInt(i) },
      witnessScript: own.witnessScript,
      bip32Derivation: own.keys,
    });
  }
  for (let i = 0; i < recipients; i++) {
    const pubkey = roots[0]?.derivePath(`m/84'/1'/1'/0/${i}`).publicKey as Uint8Array;
    psbt.addOutput({ address: payments.p2wpkh({ pubkey, network }).address as string, value: 10_000n + BigInt(i) });
  }
  const change = multisig(1, 0);
  psbt.addOutput({ script: change.script, value: 50_000n });
  psbt.updateOutput(recipients, { witnessScript: change.witnessScript, bip32Derivation: change.keys });
  return psbt.toBuffer();
}

/** Bytes from hex, for test vectors. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The PSBT signed by two of the three keys, finalized and extracted: a final segwit transaction. */
export function signedTransaction(psbtBytes: Uint8Array): Uint8Array {
  const psbt = Psbt.fromBuffer(Buffer.from(psbtBytes), { network });
  for (const root of roots.slice(0, 2)) psbt.signAllInputsHD(root);
  psbt.finalizeAllInputs();
  return psbt.extractTransaction(true).toBuffer();
}

/**
 * A minimal PSBT version 2 (BIP-370): global tx version, input and output counts and
 * PSBT_GLOBAL_VERSION = 2; one input (previous txid and index) and one output (amount and script).
 */
export function psbtV2(options: { extra?: Uint8Array; outputs?: number } = {}): Uint8Array {
  const { extra = new Uint8Array(), outputs = 1 } = options;
  const pair = (key: number[], value: number[] | Uint8Array) => [key.length, ...key, value.length, ...value];
  const bytes = [
    ...[0x70, 0x73, 0x62, 0x74, 0xff],
    ...pair([0x02], [2, 0, 0, 0]),
    ...pair([0x04], [1]),
    ...pair([0x05], [outputs]),
    ...pair([0xfb], [2, 0, 0, 0]),
    0x00,
    ...pair([0x0e], createHash('sha256').update('v2-input').digest()),
    ...pair([0x0f], [0, 0, 0, 0]),
    0x00,
  ];
  const script = [0x00, 0x14, ...new Uint8Array(20).fill(7)];
  for (let i = 0; i < outputs; i++) bytes.push(...pair([0x03], [0x10, 0x27, 0, 0, 0, 0, 0, 0]), ...pair([0x04], script), 0x00);
  return Uint8Array.from([...bytes, ...extra]);
}
