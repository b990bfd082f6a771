/**
 * Bitcoin Core answers amounts as JSON numbers in BTC with up to 8 decimals. They become integer
 * satoshis here through their decimal text, never through float arithmetic (0.29 * 1e8 is
 * 28999999.999999996). A double parsed from an 8-decimal literal prints back to the same
 * literal with toFixed(8) for every amount up to the 21M BTC supply.
 */
import { SpecterError } from '../../errors/index.js';

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,8}))?$/;

/** BTC (number or decimal text) → integer satoshis, exactly. */
export function btcToSats(value: number | string): number {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(8) : String(value)) : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) {
    throw new SpecterError('RPC_BAD_RESPONSE', `Bitcoin Core sent an amount that is not a BTC value: ${String(value)}.`, {
      details: { value: String(value) },
    });
  }
  const sats = Number(m[2]) * 100_000_000 + Number((m[3] ?? '').padEnd(8, '0'));
  if (!Number.isSafeInteger(sats))
    throw new SpecterError('RPC_BAD_RESPONSE', `The amount ${String(value)} is out of range.`, { details: { value: String(value) } });
  return m[1] && sats !== 0 ? -sats : sats;
}

/** Integer satoshis → BTC decimal text with 8 decimals (for RPC parameters). */
export function satsToBtc(sats: number): string {
  if (!Number.isSafeInteger(sats)) throw new SpecterError('VALIDATION', `An amount in satoshis must be a whole number, got ${String(sats)}.`);
  const abs = Math.abs(sats);
  return `${sats < 0 ? '-' : ''}${Math.floor(abs / 100_000_000)}.${String(abs % 100_000_000).padStart(8, '0')}`;
}
