/**
 * What comes back from a signing device, in whatever form the user has it: base64 or hex text,
 * a `.psbt` file (binary, or base64 text with line breaks), UR parts from a QR code, or — from a
 * device that finalizes — a raw transaction in hex. `parsePsbtInput` recognises the form, checks
 * the content and answers with the bytes; anything else is a SpecterError PSBT_CORRUPT saying what
 * was recognised and what is wrong. Also the names of the files we hand to devices.
 *
 * Not re-exported from `bitcoin/index.ts`: bitcoinjs-lib's Psbt and @ngraveio/bc-ur take about
 * 0.3 s to load, which every importer of the index (the CLI included) would pay. Import
 * `psbt-transport.js`, `ur-psbt.js` and `psbt-qr.js` where PSBTs are handled.
 */
import { Transaction } from 'bitcoinjs-lib/src/transaction';
import { SpecterError } from '../errors/index.js';
import { checkPsbt, hasPsbtMagic, psbtCorrupt } from './psbt-format.js';
import { UrPsbtReader } from './ur-psbt.js';

export type PsbtInput = { kind: 'psbt'; psbt: Uint8Array; version: 0 | 2 } | { kind: 'final'; tx: Uint8Array };

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PSBT_HEX_PREFIX = '70736274ff';

/**
 * A raw transaction, or undefined. bitcoinjs-lib reads some garbage as a transaction, so the bytes
 * must serialize back to exactly themselves, and a transaction has at least one input and output.
 */
function asTransaction(bytes: Uint8Array): Transaction | undefined {
  try {
    const tx = Transaction.fromBuffer(Buffer.from(bytes));
    if (tx.ins.length === 0 || tx.outs.length === 0 || !Buffer.from(tx.toBuffer()).equals(bytes)) return undefined;
    return tx;
  } catch {
    return undefined;
  }
}

/** A transaction as the `final` answer, refused when no input carries a signature (scriptSig or witness). */
function fromTransaction(tx: Transaction, bytes: Uint8Array, what: string): PsbtInput {
  if (tx.ins.every((input) => input.script.length === 0 && input.witness.length === 0)) {
    throw psbtCorrupt(`${what} of a transaction that carries no signatures: give the signed PSBT or the signed transaction.`);
  }
  return { kind: 'final', tx: new Uint8Array(bytes) };
}

function fromPsbtBytes(bytes: Uint8Array, what: string): PsbtInput {
  return { kind: 'psbt', psbt: bytes, version: checkPsbt(bytes, what) };
}

function fromUrParts(text: string): PsbtInput {
  const parts = text.split(/\s+/).filter(Boolean);
  const reader = new UrPsbtReader();
  let last = reader.receive(parts[0] as string);
  for (const part of parts.slice(1)) last = reader.receive(part);
  if (!last.done || !last.psbt) {
    const percent = Math.floor(last.progress * 100);
    throw psbtCorrupt(`A multi-part UR that is incomplete: ${parts.length} parts give ${percent} % of the PSBT. Scan or paste more parts.`);
  }
  return fromPsbtBytes(last.psbt, 'a UR holding a PSBT');
}

function fromText(raw: string): PsbtInput {
  const text = raw.trim();
  if (text === '') throw psbtCorrupt('The input is empty: paste a PSBT (base64 or hex) or a signed transaction in hex.');
  if (/^ur:/i.test(text)) return fromUrParts(text);
  const compact = text.replace(/\s+/g, '');
  if (HEX.test(compact)) {
    const bytes = Buffer.from(compact, 'hex');
    if (compact.toLowerCase().startsWith(PSBT_HEX_PREFIX)) return fromPsbtBytes(bytes, 'hex of a PSBT');
    const tx = asTransaction(bytes);
    if (tx) return fromTransaction(tx, bytes, 'Hex');
    throw psbtCorrupt('Hex that is neither a PSBT nor a transaction.');
  }
  if (/^[0-9a-fA-F]+$/.test(compact)) throw psbtCorrupt('Hex with an odd number of digits: a character is missing.');
  if (BASE64.test(compact)) {
    const bytes = Buffer.from(compact, 'base64');
    if (!hasPsbtMagic(bytes)) throw psbtCorrupt('Base64 that is not a PSBT (a PSBT in base64 starts with "cHNidP8").');
    return fromPsbtBytes(new Uint8Array(bytes), 'base64 of a PSBT');
  }
  if (/^[A-Za-z0-9+/=\s]+$/.test(text)) throw psbtCorrupt('Base64 that is malformed (padding in the middle or a character missing).');
  throw psbtCorrupt('Text that is neither base64, hex nor a UR (ur:crypto-psbt/…).');
}

/**
 * Recognises and checks a PSBT or a final transaction coming back from a device. Text and files
 * are both accepted: a `Uint8Array` that starts with the PSBT magic is a binary PSBT, one that
 * is a raw transaction is taken as final, and any other is read as UTF-8 text.
 * The PSBT bytes are returned as given (version 0 or 2); a final transaction as its raw bytes.
 * @throws SpecterError PSBT_CORRUPT
 */
export function parsePsbtInput(input: string | Uint8Array): PsbtInput {
  if (typeof input === 'string') return fromText(input);
  if (hasPsbtMagic(input)) return fromPsbtBytes(input, 'a binary PSBT file');
  const tx = asTransaction(input);
  if (tx) return fromTransaction(tx, input, 'A binary file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw psbtCorrupt('A binary file that is not a PSBT (it lacks the PSBT magic bytes) nor a transaction.');
  }
  if (text.includes('\u0000')) throw psbtCorrupt('A binary file that is not a PSBT (it lacks the PSBT magic bytes) nor a transaction.');
  return fromText(text);
}

/**
 * Specter Desktop's names for the files handed to devices: `binary_<txid>.psbt` (raw bytes, for
 * SD cards) and `base64_<txid>.psbt` (text). The txid is checked, so it can go into a
 * Content-Disposition header or a path.
 */
export function psbtFileName(kind: 'binary' | 'base64', txid: string): string {
  if (!/^[0-9a-f]{64}$/.test(txid)) throw new SpecterError('VALIDATION', 'A txid is 64 lowercase hex characters.', { details: { field: 'txid' } });
  return `${kind}_${txid}.psbt`;
}
