/**
 * Balances and UTXOs of a wallet's Core wallet, in satoshis, with Specter's frozen coins: a
 * frozen UTXO is kept in the chain state ("txid:vout") and locked on Core with `lockunspent`.
 * Core forgets its locks when it restarts, so {@link relockFrozen} puts them back before each sync.
 */
import { SpecterError } from '../../errors/index.js';
import type { WalletRpc } from '../nodes/rpc-client.js';
import { btcToSats } from './amounts.js';
import type { ChainState } from './chain-state.js';

export interface Balances {
  /** getbalances.mine.trusted (confirmed, and the wallet's own unconfirmed change). */
  confirmed: number;
  unconfirmed: number;
  immature: number;
  frozen: number;
  /** confirmed + unconfirmed − frozen. */
  available: number;
}

export interface Utxo {
  txid: string;
  vout: number;
  address: string;
  amount: number;
  confirmations: number;
  frozen: boolean;
}

interface CoreUnspent {
  txid: string;
  vout: number;
  address?: string;
  amount: number;
  confirmations: number;
}

const outpoint = (o: { txid: string; vout: number }): string => `${o.txid}:${o.vout}`;

function confirmationsOf(state: ChainState, txid: string): number {
  const tx = state.txs[txid];
  return tx?.blockheight != null && state.tip_height != null ? Math.max(0, state.tip_height - tx.blockheight + 1) : 0;
}

/** Every UTXO of the wallet: Core's listunspent plus the frozen (locked) ones it leaves out. */
export async function listUtxos(rpc: WalletRpc, state: ChainState): Promise<Utxo[]> {
  const [unspent, locked] = await Promise.all([
    rpc.call<CoreUnspent[]>('listunspent', [0]),
    rpc.call<Array<{ txid: string; vout: number }>>('listlockunspent'),
  ]);
  const frozen = new Set(state.frozen);
  const utxos: Utxo[] = unspent.map((u) => ({
    txid: u.txid,
    vout: u.vout,
    address: u.address ?? '',
    amount: btcToSats(u.amount),
    confirmations: u.confirmations,
    frozen: frozen.has(outpoint(u)),
  }));
  for (const l of locked) {
    const out = state.txs[l.txid]?.outputs.find((o) => o.vout === l.vout);
    if (!out) continue;
    utxos.push({
      txid: l.txid,
      vout: l.vout,
      address: out.address,
      amount: out.amount,
      confirmations: confirmationsOf(state, l.txid),
      frozen: frozen.has(outpoint(l)),
    });
  }
  return utxos.sort((a, b) => b.confirmations - a.confirmations || a.txid.localeCompare(b.txid) || a.vout - b.vout);
}

export async function balances(rpc: WalletRpc, state: ChainState): Promise<Balances> {
  const b = await rpc.call<{ mine: { trusted: number; untrusted_pending: number; immature: number } }>('getbalances');
  const confirmed = btcToSats(b.mine.trusted);
  const unconfirmed = btcToSats(b.mine.untrusted_pending);
  const utxos = state.frozen.length ? await listUtxos(rpc, state) : [];
  const frozen = utxos.filter((u) => u.frozen).reduce((s, u) => s + u.amount, 0);
  return { confirmed, unconfirmed, immature: btcToSats(b.mine.immature), frozen, available: confirmed + unconfirmed - frozen };
}

/** Lock on Core every frozen UTXO it does not have locked (after a restart: all of them). */
export async function relockFrozen(rpc: WalletRpc, state: ChainState): Promise<number> {
  if (!state.frozen.length) return 0;
  const locked = new Set((await rpc.call<Array<{ txid: string; vout: number }>>('listlockunspent')).map(outpoint));
  const missing = state.frozen.filter((o) => !locked.has(o));
  if (!missing.length) return 0;
  const unspent = new Set((await rpc.call<CoreUnspent[]>('listunspent', [0])).map(outpoint));
  const lockable = missing.filter((o) => unspent.has(o));
  if (lockable.length) await rpc.call('lockunspent', [false, lockable.map(parseOutpoint)]);
  return lockable.length;
}

export function parseOutpoint(text: string): { txid: string; vout: number } {
  const m = /^([0-9a-f]{64}):(\d{1,6})$/.exec(String(text).trim().toLowerCase());
  if (!m) {
    throw new SpecterError('VALIDATION', `"${String(text)}" is not an output ("txid:vout").`, {
      hint: 'Give outputs as the transaction id (64 hex digits), a colon and the output number.',
      details: { field: 'utxo' },
    });
  }
  return { txid: m[1]!, vout: Number(m[2]) };
}

/**
 * Freeze or unfreeze UTXOs. Freezing needs the output to be an unspent one of the wallet (else
 * UTXO_NOT_FOUND, nothing changed); the lock is set on Core, then the state changes (the caller
 * saves it). Unfreezing a coin Core does not have locked is fine.
 */
export async function setFrozen(rpc: WalletRpc, state: ChainState, outpoints: readonly string[], frozen: boolean): Promise<string[]> {
  const wanted = [...new Set(outpoints.map((o) => outpoint(parseOutpoint(o))))];
  const locked = new Set((await rpc.call<Array<{ txid: string; vout: number }>>('listlockunspent')).map(outpoint));
  if (frozen) {
    const unspent = new Set((await rpc.call<CoreUnspent[]>('listunspent', [0])).map(outpoint));
    const unknown = wanted.filter((o) => !unspent.has(o) && !locked.has(o));
    if (unknown.length) {
      throw new SpecterError(
        'UTXO_NOT_FOUND',
        `${unknown.join(', ')} ${unknown.length === 1 ? 'is not an unspent output' : 'are not unspent outputs'} of this wallet.`,
        {
          hint: 'Sync the wallet and pick outputs from its UTXO list.',
          details: { utxos: unknown },
        },
      );
    }
    const toLock = wanted.filter((o) => !locked.has(o));
    if (toLock.length) await rpc.call('lockunspent', [false, toLock.map(parseOutpoint)]);
    state.frozen = [...new Set([...state.frozen, ...wanted])];
  } else {
    const toUnlock = wanted.filter((o) => locked.has(o));
    if (toUnlock.length) await rpc.call('lockunspent', [true, toUnlock.map(parseOutpoint)]);
    const drop = new Set(wanted);
    state.frozen = state.frozen.filter((o) => !drop.has(o));
  }
  return wanted;
}
