/**
 * Interop: the first 100 receive and change addresses of three wallets must equal those Debian's
 * python3-electrum derives from the same xpubs with its own BIP-32 and script code
 * (test/fixtures/python/electrum_addresses.py). Skipped, loudly, when electrum is not installed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createAddressDeriver, multisigDescriptor, singleSigDescriptor } from '../../../src/bitcoin/index.js';
import { BIP84, MULTISIG_KEYS, MULTISIG_KEY_TEXTS } from './fixtures.js';

// dist/test/unit/bitcoin → repository root; the .py file is not copied into dist.
const SCRIPT = fileURLToPath(new URL('../../../../test/fixtures/python/electrum_addresses.py', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's interpreter: the one with python3-electrum.
const COUNT = 100;

function electrumAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import electrum'], { stdio: 'ignore' });
    return existsSync(SCRIPT);
  } catch {
    return false;
  }
}

const multisigXpubs = Object.values(MULTISIG_KEYS).map((k) => k.xpub);
const WALLETS = {
  wsh: {
    spec: { type: 'wsh', threshold: 2, xpubs: multisigXpubs },
    descriptor: multisigDescriptor({ threshold: 2, keys: MULTISIG_KEY_TEXTS, scriptType: 'wsh' }),
  },
  shwsh: {
    spec: { type: 'sh-wsh', threshold: 2, xpubs: multisigXpubs },
    descriptor: multisigDescriptor({ threshold: 2, keys: MULTISIG_KEY_TEXTS, scriptType: 'sh-wsh' }),
  },
  wpkh: {
    spec: { type: 'wpkh', threshold: 1, xpubs: [BIP84.xpub] },
    descriptor: singleSigDescriptor('wpkh', `[73c5da0a/84h/0h/0h]${BIP84.xpub}`),
  },
};

describe('cross-check against python3-electrum', {
  skip: electrumAvailable() ? false : 'python3-electrum not installed (apt-get install python3-electrum)',
}, () => {
  it(`gives the same ${COUNT} receive and ${COUNT} change addresses for 2-of-3 wsh, 2-of-3 sh-wsh and wpkh`, async () => {
    const input = JSON.stringify(Object.fromEntries(Object.entries(WALLETS).map(([name, w]) => [name, w.spec])));
    const out = execFileSync(PYTHON, [SCRIPT, 'addresses', String(COUNT)], { input, timeout: 120_000 });
    const electrum = JSON.parse(out.toString()) as Record<string, { receive: string[]; change: string[] }>;
    let compared = 0;
    for (const [name, w] of Object.entries(WALLETS)) {
      const d = createAddressDeriver(w.descriptor);
      const ours = { receive: await d.derive(0, 0, COUNT), change: await d.derive(1, 0, COUNT) };
      assert.equal(electrum[name]!.receive.length, COUNT);
      assert.deepEqual(ours.receive, electrum[name]!.receive, `${name} receive`);
      assert.deepEqual(ours.change, electrum[name]!.change, `${name} change`);
      compared += ours.receive.length + ours.change.length;
    }
    assert.equal(compared, 600);
    // Sanity: Electrum's first wpkh address is BIP-84's.
    assert.equal(electrum.wpkh!.receive[0], BIP84.receive[0]);
    assert.match(electrum.shwsh!.receive[0]!, /^3/);
  });
});
