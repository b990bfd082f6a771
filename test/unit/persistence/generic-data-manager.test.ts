import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import {
  Fernet,
  GenericDataManager,
  InvalidTokenError,
  JsonFileStore,
  allFieldsButVersion,
  type JsonObject,
  type PersistEvent,
} from '../../../src/persistence/index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'specter-gdm-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const fresh = (): string => join(dir, `data-${++n}.json`);
const onDisk = async (file: string): Promise<JsonObject> => JSON.parse(await readFile(file, 'utf8')) as JsonObject;

interface Otp extends JsonObject {
  otps: string[];
  note?: string;
}

/** A subclass the way Specter's managers use it: own initial data and a fixed field list. */
class OtpManager extends GenericDataManager<Otp> {
  override encryptedFields = ['note'];
  override initialData(): Otp {
    return { otps: [] };
  }
}

describe('GenericDataManager', () => {
  it('creates the file from initialData() on first load', async () => {
    const file = fresh();
    const m = new OtpManager(file);
    assert.deepEqual(await m.load(), { otps: [] });
    // encryptedFields is non-empty, so the version is written even without a key (as Specter).
    assert.deepEqual(await onDisk(file), { otps: [], encrypted_storage_version: 1 });
  });

  it('round-trips without a key: values stay plaintext on disk', async () => {
    const file = fresh();
    const m = new OtpManager(file);
    await m.load();
    m.data.note = 'hello';
    m.data.otps.push('a');
    await m.save();
    assert.deepEqual(await onDisk(file), { otps: ['a'], note: 'hello', encrypted_storage_version: 1 });
    const again = new OtpManager(file);
    assert.deepEqual(await again.load(), { otps: ['a'], note: 'hello', encrypted_storage_version: 1 });
  });

  it('without encrypted fields no version is written', async () => {
    const file = fresh();
    const m = new GenericDataManager(file);
    await m.load();
    m.data.x = 1;
    await m.save();
    assert.deepEqual(await onDisk(file), { x: 1 });
  });

  it('round-trips with a key: listed fields are Fernet tokens on disk, plaintext in memory', async () => {
    const file = fresh();
    const key = Fernet.generateKey();
    const m = new OtpManager(file, { encryptionKey: key });
    await m.load();
    m.data.note = 'my secret note';
    await m.save();
    assert.equal(m.data.note, 'my secret note', 'memory keeps plaintext');

    const raw = await onDisk(file);
    assert.deepEqual(raw.otps, [], 'unlisted fields stay plaintext');
    assert.equal(raw.encrypted_storage_version, 1);
    assert.match(String(raw.note), /^gAAAAA/);
    assert.equal(new Fernet(key).decrypt(String(raw.note)).toString(), 'my secret note');

    const reloaded = new OtpManager(file, { encryptionKey: Buffer.from(key, 'ascii') });
    assert.deepEqual(await reloaded.load(), { otps: [], note: 'my secret note', encrypted_storage_version: 1 });
  });

  it("allFieldsButVersion encrypts every top-level key (Specter's service storage)", async () => {
    const file = fresh();
    const key = Fernet.generateKey();
    const m = new GenericDataManager(file, { encryptionKey: key, encryptedFields: allFieldsButVersion });
    await m.load();
    assert.deepEqual(await onDisk(file), {}, 'empty data: empty field list, no version (as Specter)');
    m.data.swan = JSON.stringify({ access_token: 't' });
    m.data.bitcoinreserve = JSON.stringify({ api_key: 'k' });
    await m.save();
    const raw = await onDisk(file);
    assert.deepEqual(Object.keys(raw).sort(), ['bitcoinreserve', 'encrypted_storage_version', 'swan']);
    assert.match(String(raw.swan), /^gAAAAA/);
    assert.match(String(raw.bitcoinreserve), /^gAAAAA/);
    const again = new GenericDataManager(file, { encryptionKey: key, encryptedFields: allFieldsButVersion });
    const data = await again.load();
    assert.equal(data.swan, '{"access_token":"t"}');
    assert.equal(data.encrypted_storage_version, 1);
  });

  it('a wrong key fails with InvalidTokenError naming the file and field', async () => {
    const file = fresh();
    const m = new OtpManager(file, { encryptionKey: Fernet.generateKey() });
    await m.load();
    m.data.note = 'x';
    await m.save();
    const wrong = new OtpManager(file, { encryptionKey: Fernet.generateKey() });
    await assert.rejects(wrong.load(), (err: unknown) => {
      assert.ok(err instanceof InvalidTokenError);
      assert.ok(err.message.includes(file) && err.message.includes('"note"'), err.message);
      return true;
    });
  });

  it('an unknown encrypted_storage_version is refused (ENCRYPTED_STORAGE_VERSION)', async () => {
    const file = fresh();
    await writeFile(file, JSON.stringify({ otps: [], encrypted_storage_version: 2 }));
    await assert.rejects(
      new OtpManager(file, { encryptionKey: Fernet.generateKey() }).load(),
      (err: unknown) => isSpecterError(err, 'ENCRYPTED_STORAGE_VERSION') && err.message.includes(file),
    );
  });

  it('refuses to encrypt a non-string field, and a file that is not an object', async () => {
    const file = fresh();
    const m = new OtpManager(file, { encryptionKey: Fernet.generateKey() });
    await m.load();
    (m.data as JsonObject).note = { nested: true };
    await assert.rejects(m.save(), (err: unknown) => isSpecterError(err, 'VALIDATION'));
    assert.deepEqual(await onDisk(file), { otps: [], encrypted_storage_version: 1 }, 'nothing written');

    const arr = fresh();
    await writeFile(arr, '[1, 2]');
    await assert.rejects(new GenericDataManager(arr).load(), (err: unknown) => isSpecterError(err, 'DATA_FILE_CORRUPT'));
    assert.equal(await readFile(arr, 'utf8'), '[1, 2]');
  });

  it('save() snapshots the data when called, so saves land in call order; onPersist sees them', async () => {
    const file = fresh();
    const events: PersistEvent[] = [];
    const store = new JsonFileStore({
      onPersist: (e) => {
        events.push(e);
      },
      logger: { debug() {}, warn() {}, error() {} },
    });
    const m = new GenericDataManager(file, { store });
    await m.load();
    m.data.v = 1;
    const first = m.save();
    m.data.v = 2;
    const second = m.save();
    m.data.v = 3; // changed after the last save(): must not reach the disk
    await Promise.all([first, second]);
    assert.deepEqual(await onDisk(file), { v: 2 });
    assert.deepEqual(JSON.parse(await readFile(`${file}.bkp`, 'utf8')), { v: 1 });
    assert.equal(events.length, 3);
    assert.ok(events.every((e) => e.path === file && e.mode === 'write'));
  });
});
