/**
 * DeviceManager: the devices of one user (`<data>/devices/<alias>.json` for the admin,
 * `<data>/devices_<user id>/` for the others, as in Specter; format in device.ts). Each operation
 * validates everything first and writes once, so a refused request
 * leaves the folder untouched. Mutations are serialised on the folder's lock so two concurrent
 * creates cannot pick the same alias.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SpecterError } from '../../errors/index.js';
import { withFileLock, type JsonFileStore } from '../../persistence/index.js';
import { fileProblem, type DataFileProblem } from '../data-file-problem.js';
import { isValidAlias, uniqueAlias, validateName } from './alias.js';
import { parseDeviceFile, type Device, type DeviceKey } from './device.js';
import { DeviceTypeRegistry } from './device-types.js';
import { parseDeviceKeysAsync, type DeviceKeysInput } from './key-import.js';

export const DEVICES_FOLDER = 'devices';

export interface DeviceManagerOptions {
  /** Folder name inside the data folder; default `devices` (the admin's). */
  folder?: string;
}

export interface AddKeysOptions {
  /**
   * Accept keys another device of the user already holds (the same seed on two signers). By
   * default such a key is refused with DEVICE_KEY_EXISTS naming that device.
   */
  allowSharedKeys?: boolean;
}

function clone(device: Device): Device {
  return { ...device, keys: device.keys.map((k) => ({ ...k })) };
}

export class DeviceManager {
  readonly devicesFolder: string;
  readonly types: DeviceTypeRegistry;

  constructor(
    readonly dataFolder: string,
    private readonly store: JsonFileStore,
    types: DeviceTypeRegistry = new DeviceTypeRegistry(),
    options: DeviceManagerOptions = {},
  ) {
    this.devicesFolder = path.join(dataFolder, options.folder ?? DEVICES_FOLDER);
    this.types = types;
  }

  private file(alias: string): string {
    return path.join(this.devicesFolder, `${alias}.json`);
  }

  /** Aliases on disk (a lone `.bkp` counts: the store reads it back after an interrupted write). */
  private async aliases(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.devicesFolder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const found = new Set<string>();
    for (const n of names) {
      const m = /^(.+)\.json(?:\.bkp)?$/.exec(n);
      if (m && isValidAlias(m[1])) found.add(m[1]!);
    }
    return [...found].sort();
  }

  /**
   * Devices are read from disk once and then served from memory (every page's sidebar lists them);
   * every change goes through this manager, which keeps the cache in step with the files.
   */
  private cache: Map<string, Device> | undefined;
  #problems: DataFileProblem[] = [];

  /** Device files that could not be used, found by the last scan (list() scans once). */
  get problems(): readonly DataFileProblem[] {
    return this.#problems.map((p) => ({ ...p }));
  }

  private async loaded(): Promise<Map<string, Device>> {
    if (!this.cache) {
      const map = new Map<string, Device>();
      const problems: DataFileProblem[] = [];
      for (const alias of await this.aliases()) {
        try {
          const raw = await this.store.read<unknown>(this.file(alias));
          if (raw !== undefined) map.set(alias, parseDeviceFile(raw, this.file(alias), alias));
        } catch (err) {
          // One damaged file must not hide every other device; it is reported instead, and its
          // alias stays taken (aliases() reads the folder), so nothing overwrites it.
          const problem = fileProblem(this.dataFolder, this.file(alias), err);
          if (!problem) throw err;
          problems.push(problem);
        }
      }
      this.cache = map;
      this.#problems = problems;
    }
    return this.cache;
  }

  private async read(alias: string): Promise<Device | undefined> {
    const device = (await this.loaded()).get(alias);
    return device && clone(device);
  }

  private async save(device: Device): Promise<void> {
    await this.store.write(this.file(device.alias), device);
    (await this.loaded()).set(device.alias, clone(device));
  }

  /** Serialise mutations of the folder (re-entrant with the store's own per-file locks). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(path.join(this.devicesFolder, '.manager-lock'), fn);
  }

  async list(): Promise<Device[]> {
    return [...(await this.loaded()).values()].map(clone).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The device, or DEVICE_NOT_FOUND. */
  async get(alias: string): Promise<Device> {
    const device = isValidAlias(alias) ? await this.read(alias) : undefined;
    if (!device) {
      throw new SpecterError('DEVICE_NOT_FOUND', `There is no device "${alias}".`, {
        hint: 'Check the device alias in the URL, or add the device first.',
        details: { alias },
      });
    }
    return device;
  }

  /** The device holding this canonical xpub, if any. */
  async findByXpub(xpub: string): Promise<Device | undefined> {
    return (await this.list()).find((d) => d.keys.some((k) => k.xpub === xpub));
  }

  /** Refuses keys another device of this user holds, naming it (details.alias lets a page link it). */
  private async assertKeysFree(keys: readonly DeviceKey[], exceptAlias: string | undefined, options: AddKeysOptions): Promise<void> {
    if (options.allowSharedKeys) return;
    const others = (await this.list()).filter((d) => d.alias !== exceptAlias);
    for (const key of keys) {
      const holder = others.find((d) => d.keys.some((k) => k.xpub === key.xpub));
      if (holder) {
        throw new SpecterError('DEVICE_KEY_EXISTS', `The key ${key.original.slice(0, 24)}… is already on device "${holder.name}".`, {
          hint: `Open device "${holder.name}" instead, or, if both signers hold the same seed on purpose, confirm that the key is shared.`,
          details: { alias: holder.alias, name: holder.name, xpub: key.xpub },
        });
      }
    }
  }

  private async assertNameFree(name: string, exceptAlias?: string): Promise<void> {
    const clash = (await this.list()).find((d) => d.name.toLowerCase() === name.toLowerCase() && d.alias !== exceptAlias);
    if (clash) {
      throw new SpecterError('DEVICE_EXISTS', `A device named "${clash.name}" already exists.`, {
        hint: 'Choose another name, or add the keys to the existing device.',
        details: { alias: clash.alias },
      });
    }
  }

  /** Create a device from pasted text, a Coldcard JSON export, or key objects. */
  async create(name: string, type: string, keys: DeviceKeysInput, options: AddKeysOptions = {}): Promise<Device> {
    const validName = validateName(name, 'device', 'DEVICE_INVALID');
    this.types.get(type);
    const parsed = await parseDeviceKeysAsync(keys);
    return this.exclusive(async () => {
      await this.assertNameFree(validName);
      await this.assertKeysFree(parsed, undefined, options);
      const taken = new Set([...(await this.aliases()), ...(await this.loaded()).keys()]);
      const alias = uniqueAlias(validName, 'device', (a) => taken.has(a));
      const device: Device = { alias, name: validName, type, keys: parsed };
      await this.save(device);
      return clone(device);
    });
  }

  /** Add keys; a key the device already has is refused, and so is one another device holds (unless allowed). */
  async addKeys(alias: string, keys: DeviceKeysInput, options: AddKeysOptions = {}): Promise<Device> {
    return this.exclusive(async () => {
      const device = await this.get(alias);
      const added: DeviceKey[] = await parseDeviceKeysAsync(keys, device.keys);
      await this.assertKeysFree(added, alias, options);
      const next = { ...device, keys: [...device.keys, ...added] };
      await this.save(next);
      return clone(next);
    });
  }

  /** Remove one key (by canonical or original xpub). */
  async removeKey(alias: string, xpub: string): Promise<Device> {
    return this.exclusive(async () => {
      const device = await this.get(alias);
      const keys = device.keys.filter((k) => k.xpub !== xpub && k.original !== xpub);
      if (keys.length === device.keys.length) {
        throw new SpecterError('DEVICE_INVALID', `Device "${device.name}" has no key ${xpub.slice(0, 16)}….`, {
          hint: 'Pick one of the keys listed on the device page.',
        });
      }
      const next = { ...device, keys };
      await this.save(next);
      return clone(next);
    });
  }

  /** Change the display name; the alias (file name, URLs, wallet references) stays. */
  async rename(alias: string, newName: string): Promise<Device> {
    const validName = validateName(newName, 'device', 'DEVICE_INVALID');
    return this.exclusive(async () => {
      const device = await this.get(alias);
      await this.assertNameFree(validName, alias);
      const next = { ...device, name: validName };
      await this.save(next);
      return clone(next);
    });
  }

  /** Delete the device file. Wallets keep their descriptors (as in Specter). */
  async remove(alias: string): Promise<void> {
    await this.exclusive(async () => {
      await this.get(alias);
      await this.store.delete(this.file(alias));
      (await this.loaded()).delete(alias);
    });
  }
}
