/**
 * An independent signer: Debian's python3-electrum signs the PSBTs Specter TS makes (a stand-in
 * for hardware wallets), for a 2-of-3 wsh(sortedmulti) wallet (two copies signed separately by
 * two keys), a 2-of-3 sh(wsh(sortedmulti)) and a single-key wpkh wallet. Electrum recognises the
 * change output as the wallet's own from its derivations; after broadcast and a block the history
 * and the balance agree with the PSBT to the satoshi.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor } from '../../../src/bitcoin/index.js';
import type { User } from '../../../src/managers/users/index.js';
import type { PendingPsbtView } from '../../../src/managers/psbt/index.js';
import type { TestSpecter } from '../../../src/testing/index.js';
import { bitcoindSkip, regtestApp, type Bitcoind } from '../../helpers/bitcoind.js';
import { electrumSign, electrumSkip, type ElectrumKey, type ElectrumWallet } from '../../helpers/electrum-sign.js';
import { multisigKeysFor } from '../../helpers/multisig-keys.js';
import { keysFor } from '../../helpers/signing-keys.js';

const nobody = createAddressDeriver(parseDescriptor(keysFor('psbt-nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;

describe('PSBTs signed by python3-electrum', { skip: bitcoindSkip() || electrumSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;

  regtestApp((app) => ({ core, t, admin } = app));

  const sync = async (alias: string) => {
    await core.rpc('syncwithvalidationinterfacequeue');
    return t.specter.chain.sync(admin, alias);
  };

  /** Import, fund, create a PSBT of `amount` to nobody: the wallet, its balance before and the pending PSBT. */
  const prepare = async (name: string, descriptor: string, amount: number) => {
    const wallet = await t.specter.walletsOf(admin).importDescriptor(descriptor, { name, network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await core.send(await wallet.getAddress(0), 25_000_000);
    await core.mine(1);
    await sync(wallet.alias);
    const before = await t.specter.chain.balance(admin, wallet.alias);
    const view = await t.specter.psbts.create(admin, wallet.alias, { recipients: [{ address: nobody, amount }], fee_rate: 4 });
    return { wallet, before, view };
  };

  /** Broadcast, mine, sync; the history row and the balance as the PSBT said. */
  const settle = async (alias: string, view: PendingPsbtView, amount: number, before: number) => {
    const { txid } = await t.specter.psbts.broadcast(admin, alias, view.txid);
    await core.mine(1);
    await sync(alias);
    const row = (await t.specter.chain.history(admin, alias)).transactions.find((r) => r.txid === txid);
    assert.ok(row, 'the send is in the history');
    assert.equal(row.category, 'send');
    assert.equal(row.confirmations, 1);
    assert.equal(row.fee, view.fee);
    assert.equal(row.amount, -(amount + view.fee));
    assert.equal((await t.specter.chain.balance(admin, alias)).confirmed, before - amount - view.fee, 'before − amount − fee');
  };

  for (const script of ['wsh', 'sh-wsh'] as const) {
    it(`2-of-3 ${script === 'wsh' ? 'wsh' : 'sh(wsh'}(sortedmulti)): two Electrum keys sign separate copies; combined, complete, broadcast, mined`, async () => {
      const ms = multisigKeysFor(`electrum-${script}`, 2, 3, script);
      const { wallet, before, view } = await prepare(`electrum ${script}`, ms.watch, 7_777_777);
      const path = `m/48h/1h/0h/${script === 'wsh' ? 2 : 1}h`;
      /** The Electrum wallet of the three keys, holding the private key of `signer` only (one device). */
      const device = (signer: number): ElectrumWallet => ({
        script,
        threshold: 2,
        keys: ms.keys.map((k, i): ElectrumKey => ({ xkey: i === signer ? k.tprv : k.tpub, fingerprint: k.fingerprint, path })),
      });
      const changeVout = view.outputs.find((o) => o.ownership === 'change')!.vout;

      const copyB = await electrumSign(view.psbt, device(1));
      const copyA = await electrumSign(view.psbt, device(0));
      assert.equal(copyA.complete, false);
      assert.deepEqual(copyA.change, [changeVout], "Electrum's wallet sees the change output as its change");
      assert.deepEqual(copyB.change, [changeVout]);

      const first = await t.specter.psbts.addSignatures(admin, wallet.alias, view.txid, copyB.psbt);
      assert.equal(first.complete, false);
      assert.deepEqual(first.signed_by, [ms.keys[1]!.fingerprint]);
      const second = await t.specter.psbts.addSignatures(admin, wallet.alias, view.txid, copyA.psbt);
      assert.equal(second.complete, true);
      assert.deepEqual([...second.signed_by].sort(), [ms.keys[0]!.fingerprint, ms.keys[1]!.fingerprint].sort());
      const pending = await t.specter.psbts.get(admin, wallet.alias, view.txid);
      assert.deepEqual(pending.signatures, { have: 2, need: 2, of: 3 });
      await settle(wallet.alias, view, 7_777_777, before.confirmed);
    });
  }

  it('single-key wpkh signed by Electrum', async () => {
    const keys = keysFor('psbt-electrum');
    const m = /^wpkh\(\[([0-9a-f]{8})\/84h\/1h\/0h\](tprv[1-9A-HJ-NP-Za-km-z]+)\/0\/\*\)/.exec(keys.signing.receive)!;
    const { wallet, before, view } = await prepare('electrum single', keys.watch, 3_333_333);
    const signed = await electrumSign(view.psbt, { script: 'wpkh', keys: [{ xkey: m[2]!, fingerprint: m[1]!, path: 'm/84h/1h/0h' }] });
    assert.equal(signed.complete, true);
    assert.deepEqual(signed.change, [view.outputs.find((o) => o.ownership === 'change')!.vout]);
    const merged = await t.specter.psbts.addSignatures(admin, wallet.alias, view.txid, signed.psbt);
    assert.equal(merged.complete, true);
    assert.deepEqual(merged.signed_by, [m[1]]);
    await settle(wallet.alias, view, 3_333_333, before.confirmed);
  });
});
