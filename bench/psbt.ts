/**
 * Send through HTTP against a real regtest bitcoind (prints figures, never asserts):
 *
 * - creating a PSBT that spends from a wallet with UTXOS coins (`POST /api/v1/wallets/<alias>/psbts`,
 *   paying 20 % of the balance, about 200 of the coins), as a ratio to Core's own
 *   `walletcreatefundedpsbt` for the same payment on the same Core wallet in the same run;
 * - the Send page of that wallet (the fee suggestions come from the node's estimatesmartfee; an
 *   outside fee source that takes seconds is issue 13's, and the page must not wait for it then).
 *
 *   npm run build && node dist/bench/psbt.js [coins, default 1000]
 */
import { makePayments } from '../test/helpers/payments.js';
import { withRegtestBench } from './lib/regtest-bench.js';
import { median } from './lib/server.js';

const UTXOS = Number(process.argv[2] ?? 1_000);
const ROUNDS = 5;

await withRegtestBench('specter-bench-psbt-', async ({ core, rpc, server, api, address }) => {
  await makePayments(rpc, core, address, UTXOS);
  await core.rpc('syncwithvalidationinterfacequeue');
  await api('POST', '/wallets/bench/sync');
  const { confirmed } = (await api('GET', '/wallets/bench/balance')) as { confirmed: number };
  const utxos = ((await api('GET', '/wallets/bench/utxos')).utxos as unknown[]).length;
  const payee = await core.rpc<string>('getnewaddress', [], 'faucet');
  const coreWallet = (await rpc.call<string[]>('listwallets')).find((w) => w.endsWith('/bench'))!;
  const fund = (sats: number) =>
    rpc.call('walletcreatefundedpsbt', [[], [{ [payee]: (sats / 1e8).toFixed(8) }], 0, { fee_rate: 2 }], { wallet: coreWallet });
  // 20 % of the balance: about 200 coins. Core (29 and 31) cannot fund 253 inputs or more
  // ("Internal bug detected: Fee needed > fee paid"; the app then says PSBT_TOO_MANY_INPUTS).
  const amount = Math.floor(confirmed * 0.2);
  console.log(`wallet with ${utxos} coins, ${confirmed} sats; paying ${amount} sats at 2 sat/vB`);

  const coreTimes: number[] = [];
  const ours: number[] = [];
  let inputs = 0;
  for (let i = 0; i < ROUNDS; i++) {
    // Core alone: the same payment funded on the same watch-only wallet (nothing locked).
    let start = performance.now();
    await fund(amount);
    coreTimes.push(performance.now() - start);
    start = performance.now();
    const created = (await api('POST', '/wallets/bench/psbts', { recipients: [{ address: payee, amount }], fee_rate: 2 })) as {
      txid: string;
      inputs: unknown[];
    };
    ours.push(performance.now() - start);
    inputs = created.inputs.length;
    await api('DELETE', `/wallets/bench/psbts/${created.txid}`);
  }
  const [c, o] = [median(coreTimes), median(ours)];
  console.log(
    `create a PSBT with ${inputs} inputs: ${o.toFixed(0)} ms median of ${ROUNDS} through the API; Core's walletcreatefundedpsbt alone ${c.toFixed(0)} ms → ${(o / c).toFixed(2)}×`,
  );

  // The Send page as a browser opens it (a session cookie from an earlier visit).
  const visit = await fetch(`${server.url}/spc/wallets/bench/send/`);
  const cookie = (visit.headers.get('set-cookie') ?? '').split(';')[0]!;
  const pages: number[] = [];
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    const res = await fetch(`${server.url}/spc/wallets/bench/send/`, { headers: { cookie } });
    await res.text();
    if (res.status !== 200) throw new Error(`send page: ${res.status}`);
    pages.push(performance.now() - start);
  }
  console.log(`the Send page: ${median(pages).toFixed(0)} ms median of 10 (goal ≤ 200 ms; a slow outside fee source is issue 13's)`);
});
