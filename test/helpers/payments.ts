/**
 * Many payments to one address on regtest, each its own transaction, fast: the faucet funds one
 * output per payment to keys of the bench's own (a BIP32 root from a fixed seed), and each is spent
 * to the target with createrawtransaction + signrawtransactionwithkey + sendrawtransaction in
 * batches — no Core wallet work per payment (sendtoaddress took ~9 minutes for 10,000).
 */
import { networks } from 'bitcoinjs-lib';
import { bip32 } from '../../src/bitcoin/bip32.js';
import type { RpcClient } from '../../src/managers/nodes/index.js';
import type { Bitcoind } from './bitcoind.js';

/** The bench's own keys (a regtest BIP32 root from a fixed seed): one address per payment. */
const ROOT_KEY = bip32.fromSeed(Buffer.alloc(32, 0x11), networks.testnet);

export async function makePayments(rpc: RpcClient, core: Bitcoind, to: string, count: number): Promise<void> {
  const { descriptor } = await core.rpc<{ descriptor: string }>('getdescriptorinfo', [`wpkh(${ROOT_KEY.neutered().toBase58()}/0/*)`]);
  const keyAddresses = await core.rpc<string[]>('deriveaddresses', [descriptor, [0, count - 1]]);
  const index = new Map(keyAddresses.map((a, i) => [a, i]));
  const funding: Array<{ txid: string; vout: number; scriptPubKey: string; amount: number; wif: string }> = [];
  for (let done = 0; done < count; ) {
    const n = Math.min(2_000, count - done);
    const outputs = Object.fromEntries(keyAddresses.slice(done, done + n).map((a) => [a, 0.0003]));
    const txid = await core.rpc<string>('sendmany', ['', outputs], 'faucet');
    const tx = await core.rpc<{ decoded: { vout: Array<{ n: number; value: number; scriptPubKey: { address?: string; hex: string } }> } }>(
      'gettransaction',
      [txid, false, true],
      'faucet',
    );
    for (const o of tx.decoded.vout) {
      const i = o.scriptPubKey.address === undefined ? undefined : index.get(o.scriptPubKey.address);
      if (i === undefined) continue;
      const wif = ROOT_KEY.derive(0).derive(i).toWIF();
      funding.push({ txid, vout: o.n, scriptPubKey: o.scriptPubKey.hex, amount: o.value, wif });
    }
    done += n;
    // Each funding spends the last one's change: confirm it before the next (cluster limits).
    await core.mine(1);
  }
  for (let i = 0; i < funding.length; i += 500) {
    const chunk = funding.slice(i, i + 500);
    const raw = await rpc.batch(chunk.map((u) => ({ method: 'createrawtransaction', params: [[{ txid: u.txid, vout: u.vout }], { [to]: 0.0002 }] })));
    const signed = await rpc.batch(
      raw.map((r, j) => {
        if (!r.ok) throw r.error;
        const { wif, ...prevout } = chunk[j]!;
        return { method: 'signrawtransactionwithkey', params: [r.result, [wif], [prevout]] };
      }),
    );
    const sent = await rpc.batch(
      signed.map((r) => {
        if (!r.ok) throw r.error;
        return { method: 'sendrawtransaction', params: [(r.result as { hex: string }).hex] };
      }),
    );
    const failed = sent.find((r) => !r.ok);
    if (failed) throw new Error(`sendrawtransaction failed: ${JSON.stringify(failed)}`);
    if ((i / 500) % 2 === 1 || i + 500 >= funding.length) await core.mine(1);
  }
}
