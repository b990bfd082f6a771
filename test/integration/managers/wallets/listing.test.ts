/**
 * Listing addresses past the ones a wallet keeps: they are derived on read and never stored, so
 * the API can reach any index up to 2147483647 without growing the wallet's files — and they are
 * the right addresses (Debian's python3-electrum derives the same ones at far indexes).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createTestSpecter, type TestSpecter } from '../../../../src/testing/index.js';
import { repoRoot } from '../../../helpers/files.js';
import { GAP_LIMIT } from '../../../../src/managers/wallets/index.js';
import { KEY, MULTISIG_KEYS, snapshot } from './helpers.js';

const MULTI = `wsh(sortedmulti(2,${KEY.abandon}/<0;1>/*,${KEY.legal}/<0;1>/*,${KEY.letter}/<0;1>/*))`;
const PYTHON = '/usr/bin/python3'; // Debian's interpreter: the one with python3-electrum.
const SCRIPT = path.join(repoRoot(), 'test', 'fixtures', 'python', 'electrum_addresses.py');
const FAR = [1_000_000, 2_000_000_000, 2_147_483_647];

function electrumAt(indexes: number[]): { receive: Record<string, string>; change: Record<string, string> } | undefined {
  try {
    execFileSync(PYTHON, ['-c', 'import electrum'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const wallets = { w: { type: 'wsh', threshold: 2, xpubs: Object.values(MULTISIG_KEYS).map((k) => k.xpub) } };
  const out = execFileSync(PYTHON, [SCRIPT, 'at', ...indexes.map(String)], { input: JSON.stringify(wallets), timeout: 60_000 });
  return JSON.parse(out.toString()).w;
}

/** Size and modification time of every file in the wallets folder. */
async function fileStats(t: TestSpecter): Promise<Record<string, string>> {
  const folder = path.join(t.dataFolder, 'wallets');
  const out: Record<string, string> = {};
  for (const name of await readdir(folder)) {
    const s = await stat(path.join(folder, name));
    out[name] = `${s.size} ${s.mtimeMs}`;
  }
  return out;
}

type Page = { count: number; addresses: Array<{ index: number; address: string; label: string; used: boolean; service_id: string | null }> };

async function page(t: TestSpecter, query: string): Promise<Page> {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/wallets/cold/addresses?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Page;
}

test('listing far past the stored list writes nothing and gives the addresses Electrum derives', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/wallets', payload: { name: 'Cold', descriptor: MULTI } });
  assert.equal(created.statusCode, 201, created.body);
  const stats = await fileStats(t);
  const files = await snapshot(t.dataFolder);

  // A run of full pages past the 20 the wallet keeps, and single addresses far out, on both branches.
  const run = await page(t, 'from=0&count=1000');
  assert.equal(run.count, 1000);
  assert.deepEqual(
    run.addresses.map((a) => a.index),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  for (const a of run.addresses.slice(GAP_LIMIT)) {
    assert.equal(a.used, false);
    assert.equal(a.service_id, null);
    assert.equal(a.label, `Address #${a.index}`);
  }
  await page(t, 'from=5000&count=1000');
  const far: Record<'receive' | 'change', Record<string, string>> = { receive: {}, change: {} };
  for (const index of FAR) {
    far.receive[index] = (await page(t, `from=${index}&count=1`)).addresses[0]!.address;
    const change = (await page(t, `change=1&from=${index}&count=1`)).addresses[0]!;
    assert.equal(change.label, `Change #${index}`);
    far.change[index] = change.address;
  }
  // The last page ends at the last index instead of failing.
  const last = await page(t, 'from=2147483600&count=1000');
  assert.equal(last.count, 48);
  assert.equal(last.addresses.at(-1)!.index, 2_147_483_647);
  assert.equal(last.addresses.at(-1)!.address, far.receive[2_147_483_647]);

  assert.deepEqual(await fileStats(t), stats, 'no wallet file changed size or modification time');
  assert.deepEqual(await snapshot(t.dataFolder), files, 'nothing in the data folder changed');
  const wallet = await t.specter.walletManager.get('cold');
  assert.equal(wallet.derivedCount(false), GAP_LIMIT, 'the stored list did not grow');

  const electrum = electrumAt([...FAR, 999]);
  if (!electrum) {
    ctx.diagnostic('python3-electrum not installed: the far addresses were not cross-checked');
    return;
  }
  assert.deepEqual(far.receive, Object.fromEntries(FAR.map((i) => [i, electrum.receive[i]])));
  assert.deepEqual(far.change, Object.fromEntries(FAR.map((i) => [i, electrum.change[i]])));
  assert.equal(run.addresses[999]!.address, electrum.receive[999]);
});

test('an index past 2147483647 is a 400 naming "from"; a stored address keeps its state in a listed page', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  await t.app.inject({ method: 'POST', url: '/api/v1/wallets', payload: { name: 'Cold', descriptor: MULTI } });
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/wallets/cold/addresses?from=2147483648&count=1' });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'SPECTER_ERR_VALIDATION');
  assert.match(res.json().error.message, /from must be an address index from 0 to 2147483647/);

  // Labelling an address first seen in a listing stores the list up to it (within the look-ahead).
  const wallet = await t.specter.walletManager.get('cold');
  const listed = (await page(t, 'from=500&count=10')).addresses[3]!;
  await wallet.setLabel(listed.address, 'Donations');
  assert.equal(wallet.derivedCount(false), 504);
  const again = (await page(t, 'from=500&count=10')).addresses;
  assert.equal(again[3]!.label, 'Donations');
  assert.equal(again[4]!.label, 'Address #504');
});
