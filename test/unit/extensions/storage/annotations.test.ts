import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { ServiceAnnotationsStorage, type AnnotationsOptions } from '../../../../src/extensions/storage/index.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';
import { readJson, removeDir, silentLogger, tempDir } from './_helpers.js';

const code = (key: string) => (err: unknown) => isSpecterError(err) && err.key === key;
const ADDR1 = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
const ADDR2 = '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy';
const TXID = 'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16';

let dir: string;
let store: JsonFileStore;
before(async () => {
  dir = await tempDir();
  store = new JsonFileStore({ logger: silentLogger() });
});
after(async () => {
  await removeDir(dir);
});

const opts = (o: Partial<AnnotationsOptions> = {}): AnnotationsOptions => ({
  walletsFolder: join(dir, 'wallets'),
  walletAlias: 'mywallet',
  serviceId: 'shop',
  store,
  ...o,
});

describe('ServiceAnnotationsStorage', () => {
  it("round trip in Specter's file and layout", async () => {
    const a = await ServiceAnnotationsStorage.open(opts());
    assert.equal(a.path, join(dir, 'wallets', 'mywallet_shop.json'));
    assert.deepEqual(a.getAddrAnnotations(ADDR1), {});
    assert.deepEqual(a.getTxAnnotations(TXID), {});
    await a.setAddrAnnotations(ADDR1, { order: 'o-1', items: [1, 2] });
    await a.setAddrAnnotations(ADDR2, { order: 'o-2' });
    await a.setTxAnnotations(TXID.toUpperCase(), { paid: true });
    assert.deepEqual(await readJson(a.path), {
      addrs: { [ADDR1]: { order: 'o-1', items: [1, 2] }, [ADDR2]: { order: 'o-2' } },
      txs: { [TXID]: { paid: true } },
    });

    const b = await ServiceAnnotationsStorage.open(opts());
    assert.deepEqual(b.getAddrAnnotations(ADDR1), { order: 'o-1', items: [1, 2] });
    assert.deepEqual(b.getTxAnnotations(TXID), { paid: true });
    assert.deepEqual(Object.keys(b.getAllAddrAnnotations()).sort(), [ADDR2, ADDR1].sort());

    await b.removeAddrAnnotations(ADDR2);
    const got = b.getAddrAnnotations(ADDR1);
    got.order = 'mutated';
    assert.equal(b.getAddrAnnotations(ADDR1).order, 'o-1', 'getters return copies');
    assert.deepEqual(Object.keys((await readJson(a.path)).addrs as object), [ADDR1]);
  });

  it('autosave=false keeps changes in memory until save(); two instances do not overwrite each other', async () => {
    const a = await ServiceAnnotationsStorage.open(opts({ walletAlias: 'w-two' }));
    const b = await ServiceAnnotationsStorage.open(opts({ walletAlias: 'w-two' }));
    await a.setAddrAnnotations(ADDR1, { from: 'a' }, false);
    assert.deepEqual(a.getAddrAnnotations(ADDR1), { from: 'a' });
    assert.deepEqual(await readdir(join(dir, 'wallets')).then((n) => n.filter((f) => f.startsWith('w-two'))), []);
    await b.setAddrAnnotations(ADDR2, { from: 'b' });
    await a.save();
    const disk = await readJson(a.path);
    assert.deepEqual(disk.addrs, { [ADDR2]: { from: 'b' }, [ADDR1]: { from: 'a' } });
    assert.deepEqual(a.getAllAddrAnnotations(), disk.addrs, 'after save the copy is the file content');
  });

  it('refuses names that could leave the folder and bad keys; a damaged file is reported, not replaced', async () => {
    for (const walletAlias of ['../x', 'a/b', '..', 'Upper', 'a.b', '', 'x\0']) {
      await assert.rejects(ServiceAnnotationsStorage.open(opts({ walletAlias })), code('VALIDATION'), walletAlias);
    }
    for (const serviceId of ['../x', 'a/b', '..', 'a.json', '']) {
      await assert.rejects(ServiceAnnotationsStorage.open(opts({ serviceId })), code('VALIDATION'), serviceId);
    }
    const a = await ServiceAnnotationsStorage.open(opts({ walletAlias: 'keys' }));
    await assert.rejects(a.setTxAnnotations('abc', {}), code('VALIDATION'));
    await assert.rejects(a.setAddrAnnotations('../../etc', {}), code('VALIDATION'));
    await assert.rejects(a.setAddrAnnotations(ADDR1, [1] as never), code('VALIDATION'));

    const path = join(dir, 'wallets', 'bad_shop.json');
    await writeFile(path, '{"addrs": []}');
    await assert.rejects(ServiceAnnotationsStorage.open(opts({ walletAlias: 'bad' })), code('DATA_FILE_CORRUPT'));
    assert.equal(await readFile(path, 'utf8'), '{"addrs": []}');
  });
});
