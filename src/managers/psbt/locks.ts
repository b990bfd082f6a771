/**
 * The coins of pending PSBTs on Bitcoin Core: locked while a PSBT waits for signatures (so the
 * next PSBT picks other coins), locked again after Core restarted (it keeps locks in memory), and
 * released when a PSBT is deleted. A pending PSBT whose coins were spent by anything (this
 * transaction broadcast elsewhere, a replacement, another wallet holding the same keys) is
 * dropped on the next sync: it can never be broadcast any more.
 */
import type { Logger } from '../../log/index.js';
import type { WalletRpc } from '../nodes/rpc-client.js';
import type { PendingPsbt, PendingPsbtStore } from './pending-store.js';

type Outpoint = { txid: string; vout: number };

const key = (o: Outpoint): string => `${o.txid}:${o.vout}`;

export function parseInput(text: string): Outpoint {
  const i = text.lastIndexOf(':');
  return { txid: text.slice(0, i), vout: Number(text.slice(i + 1)) };
}

/** Lock outpoints ("txid:vout") on Core that it does not have locked; resolves to how many were locked. */
export async function lockInputs(rpc: WalletRpc, inputs: readonly string[]): Promise<number> {
  if (!inputs.length) return 0;
  const locked = new Set((await rpc.call<Outpoint[]>('listlockunspent')).map(key));
  const missing = [...new Set(inputs)].filter((o) => !locked.has(o));
  if (!missing.length) return 0;
  // Only coins Core still counts as unspent can be locked (a spent one makes lockunspent fail).
  const unspent = new Set((await rpc.call<Outpoint[]>('listunspent', [0])).map(key));
  const lockable = missing.filter((o) => unspent.has(o));
  if (lockable.length) await rpc.call('lockunspent', [false, lockable.map(parseInput)]);
  return lockable.length;
}

/** Unlock outpoints Core has locked (others are skipped: unlocking an unlocked coin is an error on Core). */
export async function unlockInputs(rpc: WalletRpc, inputs: readonly string[]): Promise<number> {
  if (!inputs.length) return 0;
  const locked = new Set((await rpc.call<Outpoint[]>('listlockunspent')).map(key));
  const unlock = [...new Set(inputs)].filter((o) => locked.has(o));
  if (unlock.length) await rpc.call('lockunspent', [true, unlock.map(parseInput)]);
  return unlock.length;
}

/** After a (re)link: lock the inputs of every pending PSBT again. */
export async function relockPending(rpc: WalletRpc, pending: PendingPsbtStore): Promise<number> {
  const records = await pending.list();
  return lockInputs(
    rpc,
    records.flatMap((r) => r.inputs),
  );
}

/**
 * Drop the pending PSBTs one of whose coins is spent (in a block or in the mempool, by any
 * transaction), unlocking their other coins. Resolves to the ones dropped.
 */
export async function dropSpent(rpc: WalletRpc, pending: PendingPsbtStore, logger?: Logger): Promise<PendingPsbt[]> {
  const records = await pending.list();
  if (!records.length) return [];
  const spent = new Set<string>();
  const outpoints = [...new Set(records.flatMap((r) => r.inputs))];
  const answers = await rpc.batch<unknown[]>(
    outpoints.map((o) => {
      const { txid, vout } = parseInput(o);
      return { method: 'gettxout', params: [txid, vout, true] };
    }),
  );
  // gettxout answers null for a coin spent in a block or by a mempool transaction.
  outpoints.forEach((o, i) => {
    const answer = answers[i];
    if (answer?.ok && answer.result === null) spent.add(o);
  });
  // A replacement spends what the transaction it replaces spends: it stays while that one waits in the mempool.
  const waiting = new Set<string>();
  for (const r of records) {
    if (r.replaces === null || !r.inputs.some((o) => spent.has(o))) continue;
    const original = await rpc.call<{ confirmations: number }>('gettransaction', [r.replaces]).catch(() => undefined);
    if (original?.confirmations === 0) waiting.add(r.txid);
  }
  const gone = records.filter((r) => !waiting.has(r.txid) && r.inputs.some((o) => spent.has(o)));
  if (!gone.length) return [];
  await unlockInputs(
    rpc,
    gone.flatMap((r) => r.inputs.filter((o) => !spent.has(o))),
  );
  const removed = await pending.remove(gone.map((r) => r.txid));
  if (removed.length) logger?.info({ txids: removed.map((r) => r.txid) }, 'pending PSBTs dropped: their coins were spent');
  return removed;
}

/**
 * After each sync (ChainService.runSync): lock the pending PSBTs' coins again (Core may have
 * restarted on the same connection) and drop the PSBTs whose coins got spent. A failure here is
 * logged and never fails the sync.
 */
export async function checkPendingAfterSync(rpc: WalletRpc, pending: PendingPsbtStore, logger: Logger): Promise<void> {
  try {
    await relockPending(rpc, pending);
    await dropSpent(rpc, pending, logger);
  } catch (err) {
    logger.warn({ err, file: pending.file }, 'pending PSBTs not checked after the sync');
  }
}
