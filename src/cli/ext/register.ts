import { type Command, Option } from 'commander';
import { runExtGen, type ExtGenOptions } from './gen.js';
import { runExtInstall, runExtPlugins, runExtUninstall, runExtUpdate, type ExtInstallOptions } from './install.js';
import { runExtKeygen, runExtSign } from './sign.js';
import { runExtList, type ExtListOptions } from './list.js';
import { runExtValidate } from './validate.js';

const CONFIGS = ['ProductionConfig', 'DevelopmentConfig', 'TestConfig', 'BaseConfig'];

/**
 * `specter ext gen | validate | list`. Call once from the CLI entry:
 * `registerExtCommands(program)` before `program.parseAsync()`.
 */
export function registerExtCommands(program: Command): Command {
  const ext = program.command('ext').description('extensions: install, update, uninstall and list plugins; gen, validate, sign for authors');

  ext
    .command('gen')
    .description('generate a new extension as a standalone npm package in <dir>/specterext-<id>/ (asks for what the flags do not give, unless --yes)')
    .option('--id <id>', 'extension id: lowercase letters, digits and "_", starting with a letter')
    .option('--org <scope>', 'npm scope without "@" (the package becomes @<scope>/specterext-<id>); "" for none')
    .option('--isolated-client', 'serve the pages at /ext/<id>/, without the Specter TS session')
    .option('--no-isolated-client', 'serve the pages at /spc/ext/<id>/, inside the Specter TS layout (default)')
    .option('--encrypt-data', "encrypt the extension's per-user data with the user's password")
    .option('--no-encrypt-data', 'keep per-user data unencrypted (default)')
    .option('--device <Name>', 'also generate a device type with this CamelCase name ("none" for none)')
    .option('--dir <dir>', 'parent folder of the package (default: the current directory)')
    .option(
      '--specter-path <path>',
      'the Specter TS folder the package builds and tests against, linked as .specter-ts (default: env SPECTER_TS_HOME, else this one)',
    )
    .option('--dry-run', 'list the files without writing them')
    .option('-y, --yes', 'ask nothing: defaults for everything the flags do not give (--id is then required)')
    .action(async (opts: ExtGenOptions) => {
      process.exitCode = await runExtGen(opts);
    });

  ext
    .command('validate')
    .description('check an extension package: manifest, layout, module paths, icon, engines; prints every problem with its fix')
    .argument('[dir]', 'the package folder', '.')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      process.exitCode = await runExtValidate(dir, opts.json ? { json: true } : {});
    });

  ext
    .command('list')
    .description('load the extensions as "specter server" would (no HTTP) and print each one\'s status')
    .addOption(new Option('--config <name>', 'config class').choices(CONFIGS).default('ProductionConfig'))
    .option('--data-folder <dir>', 'data folder (env SPECTER_DATA_FOLDER)')
    .option('--extension <pathOrName>', 'load this extension too (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .addOption(new Option('--devstatus-threshold <level>', 'lowest devstatus to load').choices(['alpha', 'beta', 'prod']))
    .option('--json', 'print the statuses as JSON')
    .action(async (opts: ExtListOptions) => {
      process.exitCode = await runExtList(opts);
    });

  const installOptions = (cmd: Command) =>
    cmd
      .addOption(new Option('--config <name>', 'config class').choices(CONFIGS).default('ProductionConfig'))
      .option('--data-folder <dir>', 'data folder (env SPECTER_DATA_FOLDER); plugins go to <data>/plugins/')
      .option('--json', 'print the result as JSON');

  installOptions(
    ext
      .command('install')
      .description('install a plugin into <data>/plugins/: an npm package name (with a version), a .tgz from "npm pack", or a package folder')
      .argument('<spec>', 'package[@version] | ./plugin-1.0.0.tgz | ./plugin-folder'),
  ).action(async (spec: string, opts: ExtInstallOptions) => {
    process.exitCode = await runExtInstall(spec, opts);
  });

  installOptions(
    ext
      .command('update')
      .description('install again from what was given at install: a newer registry version, or the tarball or folder again')
      .argument('[id]', 'one plugin (default: all)'),
  ).action(async (id: string | undefined, opts: ExtInstallOptions) => {
    process.exitCode = await runExtUpdate(id, opts);
  });

  installOptions(
    ext
      .command('uninstall')
      .description('remove an installed plugin')
      .argument('<id>', 'the plugin id')
      .option('--remove-data', "also delete its data: <data>/extensions/<id>/, its stored entries and its wallets' annotation files"),
  ).action(async (id: string, opts: ExtInstallOptions & { removeData?: boolean }) => {
    process.exitCode = await runExtUninstall(id, opts);
  });

  installOptions(ext.command('plugins').description('list the installed plugins (plugins.json): version, signer, source')).action(
    async (opts: ExtInstallOptions) => {
      process.exitCode = await runExtPlugins(opts);
    },
  );

  ext
    .command('keygen')
    .description('make an ed25519 key pair for signing plugins: <out>.pem (private) and <out>.pub')
    .requiredOption('--out <name>', 'file name without extension')
    .action(async (opts: { out: string }) => {
      process.exitCode = await runExtKeygen(opts);
    });

  ext
    .command('sign')
    .description('sign a built package folder: writes SPECTER_SIGNATURE.json over the hashes of its files')
    .argument('[dir]', 'the package folder', '.')
    .requiredOption('--key <pem>', 'the private key from "specter ext keygen"')
    .action(async (dir: string, opts: { key: string }) => {
      process.exitCode = await runExtSign(dir, opts);
    });

  return ext;
}
