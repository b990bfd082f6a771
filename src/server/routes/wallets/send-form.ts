/**
 * The Send form of a wallet: what the browser posts (recipient rows as repeated fields, amounts as
 * the user typed them in BTC or sats), the values kept to show the form again, and the request
 * for the PSBT manager (integer satoshis). Amount text becomes satoshis through its decimal
 * digits, never through floats. "Send all" is spelled out here: every spendable coin (or every
 * chosen one) goes in, the row gets what the other rows leave, and pays the fee.
 */
import { z } from 'zod';
import { SpecterError } from '../../../errors/index.js';
import type { Utxo } from '../../../managers/chain/index.js';
import type { CreatePsbtRequest } from '../../../managers/psbt/index.js';
import { formBody, formList, formText } from '../../schemas.js';

export type AmountUnit = 'btc' | 'sat';

/** A repeated form field kept in order, blanks included (the recipient rows line up by position). */
const formRows = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const sendBody = formBody({
  address: formRows,
  amount: formRows,
  label: formRows,
  subtract_fee_from: formList,
  send_all: formList,
  amount_unit: formText,
  fee_rate: formText,
  confirm_high_fee: formText,
  rbf: formList,
  utxos: formList,
  action: formText,
});
export type SendBody = z.infer<typeof sendBody>;

export interface RecipientRow {
  address: string;
  amount: string;
  label: string;
  subtract: boolean;
  send_all: boolean;
}

/** The form as the user left it, to show it again. */
export interface SendValues {
  rows: RecipientRow[];
  amount_unit: AmountUnit;
  fee_rate: string;
  confirm_high_fee: boolean;
  rbf: boolean;
  utxos: string[];
}

/** Most rows the form takes (the API takes more; a page of 50 recipients is already long). */
export const MAX_FORM_ROWS = 50;

const BTC_TEXT = /^(\d{1,8})(?:\.(\d{0,8}))?$|^\.(\d{1,8})$/;

export function emptyValues(unit: AmountUnit): SendValues {
  return { rows: [emptyRow()], amount_unit: unit, fee_rate: '', confirm_high_fee: false, rbf: true, utxos: [] };
}

export function emptyRow(): RecipientRow {
  return { address: '', amount: '', label: '', subtract: false, send_all: false };
}

export function sendValues(body: SendBody, fallbackUnit: AmountUnit): SendValues {
  const count = Math.min(MAX_FORM_ROWS, Math.max(body.address.length, body.amount.length, body.label.length, 1));
  const subtract = new Set(body.subtract_fee_from);
  const all = new Set(body.send_all);
  const rows = Array.from({ length: count }, (_, i) => ({
    address: (body.address[i] ?? '').trim(),
    amount: (body.amount[i] ?? '').trim(),
    label: (body.label[i] ?? '').trim(),
    subtract: subtract.has(String(i)),
    send_all: all.has(String(i)),
  }));
  return {
    rows,
    amount_unit: body.amount_unit === 'sat' || body.amount_unit === 'btc' ? body.amount_unit : fallbackUnit,
    fee_rate: body.fee_rate.trim(),
    confirm_high_fee: body.confirm_high_fee === 'yes',
    // An unticked checkbox posts nothing: RBF is on only when the box came back ticked.
    rbf: body.rbf.includes('yes'),
    utxos: body.utxos,
  };
}

function fieldError(message: string, field: string, hint?: string): SpecterError {
  return new SpecterError('VALIDATION', message, { details: { field }, ...(hint ? { hint } : {}) });
}

/** "0.001" BTC or "100,000" sats → integer satoshis. */
export function parseAmount(text: string, unit: AmountUnit, index: number): number {
  const field = `recipients.${index}.amount`;
  const compact = text.replace(/[\s_]/g, '');
  if (!compact) throw fieldError(`Recipient ${index + 1}: give an amount.`, field);
  if (unit === 'sat') {
    const digits = compact.replace(/,/g, '');
    if (!/^\d{1,16}$/.test(digits)) {
      throw fieldError(`Recipient ${index + 1}: "${text}" is not a whole number of sats.`, field, 'Sats have no decimals: 0.001 BTC is 100000 sats.');
    }
    return Number(digits);
  }
  const m = BTC_TEXT.exec(compact);
  if (!m) {
    throw fieldError(
      `Recipient ${index + 1}: "${text}" is not an amount in BTC.`,
      field,
      'Write it with a dot and at most 8 decimals, like 0.0015 (or switch the unit to sats).',
    );
  }
  const whole = m[1] ?? '0';
  const frac = (m[2] ?? m[3] ?? '').padEnd(8, '0');
  return Number(whole) * 100_000_000 + Number(frac);
}

/** The field a manager error is about, for showing it next to that field. */
export function errorField(err: { key: string; details: Record<string, unknown> }): string | null {
  if (typeof err.details.field === 'string') return err.details.field;
  const index = err.details.index;
  if (typeof index === 'number') return err.key === 'PSBT_DUST' ? `recipients.${index}.amount` : `recipients.${index}.address`;
  if (err.key === 'UTXO_NOT_FOUND') return 'utxos';
  return null;
}

/**
 * The manager's request from the form. `coins` are the wallet's UTXOs and `held` the coins of
 * pending PSBTs: "send all" spends every coin neither frozen nor held (or the chosen ones).
 */
export function sendRequest(values: SendValues, coins: readonly Utxo[], held: ReadonlySet<string>): CreatePsbtRequest {
  const rows = values.rows.map((r, index) => ({ ...r, index })).filter((r) => r.address || r.amount || r.label || r.send_all);
  if (!rows.length) throw fieldError('Give at least one recipient: an address and an amount.', 'recipients.0.address');
  const allRows = rows.filter((r) => r.send_all);
  if (allRows.length > 1) {
    throw fieldError(
      '"Send all" can be ticked on one recipient only.',
      `recipients.${allRows[1]!.index}.amount`,
      'The other recipients get their amounts; one gets the rest.',
    );
  }
  const recipients = rows.map((r, position) => {
    if (!r.address) throw fieldError(`Recipient ${position + 1}: give an address.`, `recipients.${r.index}.address`);
    return { address: r.address, amount: r.send_all ? 0 : parseAmount(r.amount, values.amount_unit, r.index), label: r.label || undefined };
  });
  const feeRate = values.fee_rate === '' ? Number.NaN : Number(values.fee_rate);
  const request: CreatePsbtRequest = {
    recipients,
    // The manager refuses a missing or non-numeric rate with PSBT_FEE_RATE, naming what it got.
    fee_rate: Number.isFinite(feeRate) ? feeRate : (values.fee_rate as unknown as number),
    confirm_high_fee: values.confirm_high_fee,
    rbf: values.rbf,
    subtract_fee_from: rows.flatMap((r, position) => (r.subtract || r.send_all ? [position] : [])),
  };
  if (values.utxos.length) request.utxos = values.utxos;
  const allAt = rows.findIndex((r) => r.send_all);
  if (allAt >= 0) {
    const spendable = coins.filter((c) => !c.frozen && !held.has(`${c.txid}:${c.vout}`));
    const chosen = values.utxos.length ? coins.filter((c) => values.utxos.includes(`${c.txid}:${c.vout}`)) : spendable;
    if (!values.utxos.length) request.utxos = spendable.map((c) => `${c.txid}:${c.vout}`);
    const total = chosen.reduce((s, c) => s + c.amount, 0);
    const others = recipients.reduce((s, r) => s + r.amount, 0);
    // What the others leave; the manager refuses zero or dust with its own words.
    recipients[allAt]!.amount = Math.max(total - others, 0);
    if (!request.utxos?.length) {
      throw fieldError(
        'This wallet has no spendable coins to send.',
        `recipients.${rows[allAt]!.index}.amount`,
        'Frozen coins and coins held by pending PSBTs are not spent.',
      );
    }
  }
  return request;
}
