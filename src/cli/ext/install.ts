import path from 'node:path';
import { loadConfig } from '../../config/index.js';
import { isSpecterError } from '../../errors/index.js';
import { PluginInstaller, type InstallResult, type PluginRecord } from '../../extensions/install/index.js';
import { createLogger } from '../../log/index.js';
import { ConfigManager } from '../../managers/config/index.js';
import { JsonFileStore } from '../../persistence/index.js';
import { Specter, purgeExtensionData } from '../../specter/index.js';
import { PACKAGE_ROOT } from '../../version.js';

/**
 * `specter ext install | update | uninstall | plugins`: the admin's side of plugin distribution.
 * The work is PluginInstaller's (src/extensions/install/); this file finds the data folder and
 * the trusted keys as `specter server` would, and prints what happened.
 */
export interface ExtInstallOptions {
  config?: string;
  dataFolder?: string;
  json?: boolean;
}

export interface ExtInstallIo {
  output?: NodeJS.WritableStream;
  errorOutput?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

async function installerFor(opts: ExtInstallOptions, io: ExtInstallIo): Promise<PluginInstaller> {
  const env = io.env ?? process.env;
  const { config, chain } = loadConfig(opts.config ?? 'ProductionConfig', { env, overrides: { SPECTER_DATA_FOLDER: opts.dataFolder } });
  const dataFolder = path.resolve(config.SPECTER_DATA_FOLDER);
  const store = new JsonFileStore();
  const configManager = new ConfigManager(dataFolder, store);
  await configManager.load();
  return new PluginInstaller({
    dataFolder,
    store,
    trustedKeys: configManager.values.trusted_keys,
    ...(config.LOAD_BUILTIN_EXTENSIONS ? { builtinDir: path.join(PACKAGE_ROOT, 'extensions') } : {}),
    cwd: io.cwd ?? process.cwd(),
    env,
    // Stored data is found through the app (every user's service files, every wallet's annotations).
    purgeData: async (id) => {
      const specter = await Specter.create({ config, configChain: chain, logger: createLogger({ level: 'silent' }) });
      try {
        return await purgeExtensionData(specter, id);
      } finally {
        await specter.close();
      }
    },
  });
}

function signerText(r: PluginRecord): string {
  return r.signer ? `signed by ${r.signer}` : 'unsigned';
}

const RELOAD_NOTE =
  'A running Specter TS sees the change in plugins.json; otherwise it applies at the next start. Activate a new plugin in "Choose plugins".';

function describe(result: InstallResult): string {
  const r = result.record;
  if (result.action === 'unchanged') return `${r.id}: ${r.packageName} ${r.version} is already installed and unchanged.`;
  const from = result.previous && result.previous.version !== r.version ? ` (was ${result.previous.version})` : '';
  return `${result.action === 'installed' ? 'Installed' : 'Updated'} plugin "${r.id}": ${r.packageName} ${r.version}${from}, ${signerText(r)}, from ${r.spec}.`;
}

async function run(name: string, opts: ExtInstallOptions, io: ExtInstallIo, work: (installer: PluginInstaller) => Promise<unknown>): Promise<number> {
  const out = io.output ?? process.stdout;
  const err = io.errorOutput ?? process.stderr;
  try {
    const result = await work(await installerFor(opts, io));
    if (opts.json) out.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (e) {
    if (isSpecterError(e)) {
      err.write(`specter ext ${name}: ${e.message}\n${e.hint ? `  ${e.hint}\n` : ''}`);
      return 1;
    }
    err.write(`specter ext ${name}: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

export function runExtInstall(spec: string, opts: ExtInstallOptions, io: ExtInstallIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  return run('install', opts, io, async (installer) => {
    const result = await installer.install(spec);
    if (!opts.json) out.write(`${describe(result)}\n${RELOAD_NOTE}\n`);
    return result;
  });
}

export function runExtUpdate(id: string | undefined, opts: ExtInstallOptions, io: ExtInstallIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  return run('update', opts, io, async (installer) => {
    const results = await installer.update(id);
    if (!opts.json) {
      if (results.length === 0) out.write('No plugins installed.\n');
      for (const r of results) out.write(`${describe(r)}\n`);
      if (results.some((r) => r.action !== 'unchanged')) out.write(`${RELOAD_NOTE}\n`);
    }
    return results;
  });
}

export function runExtUninstall(id: string, opts: ExtInstallOptions & { removeData?: boolean }, io: ExtInstallIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  return run('uninstall', opts, io, async (installer) => {
    const result = await installer.uninstall(id, { removeData: opts.removeData === true });
    if (!opts.json) {
      out.write(`Uninstalled plugin "${id}" (${result.record.packageName} ${result.record.version}).\n`);
      if (opts.removeData) {
        out.write(`Removed its data:\n${result.removed.map((f) => `  - ${f}\n`).join('')}`);
      } else out.write(`Its data was kept (${path.join('extensions', id)} and its stored entries); --remove-data removes it.\n`);
    }
    return result;
  });
}

export function runExtPlugins(opts: ExtInstallOptions, io: ExtInstallIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  return run('plugins', opts, io, async (installer) => {
    const records = await installer.list();
    if (!opts.json) {
      if (records.length === 0) out.write(`No plugins installed in ${installer.pluginsDir}.\n`);
      for (const r of records) out.write(`${r.id}  ${r.packageName} ${r.version}  ${signerText(r)}  installed ${r.installedAt}  from ${r.spec}\n`);
    }
    return records;
  });
}
