import { type Command, Option } from 'commander';
import { runExtGen, type ExtGenOptions } from './gen.js';
import { runExtList, type ExtListOptions } from './list.js';
import { runExtValidate } from './validate.js';

const CONFIGS = ['ProductionConfig', 'DevelopmentConfig', 'TestConfig', 'BaseConfig'];

/**
 * `specter ext gen | validate | list`. Call once from the CLI entry:
 * `registerExtCommands(program)` before `program.parseAsync()`.
 */
export function registerExtCommands(program: Command): Command {
  const ext = program.command('ext').description('tools for extension authors: gen, validate, list');

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
      '--specter-path [path]',
      'depend on a local Specter TS folder (default: this one) instead of the npm registry; also env SPECTER_TS_LOCAL=1',
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

  return ext;
}
