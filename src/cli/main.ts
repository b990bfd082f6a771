#!/usr/bin/env node
import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { runServer } from './server-command.js';
import { registerExtCommands } from './ext/register.js';

const program = new Command();
program.name('specter').description('Specter TS — self-hosted Bitcoin wallet coordinator with extensions').version(VERSION);

program
  .command('server')
  .description('start the web UI')
  .option('--host <host>', 'address to listen on (env HOST)')
  .option('--port <port>', 'port to listen on (env PORT)', (v) => Number.parseInt(v, 10))
  .option('--data-folder <dir>', 'data folder (env SPECTER_DATA_FOLDER)')
  .addOption(
    new Option('--config <name>', 'config class')
      .choices(['ProductionConfig', 'DevelopmentConfig', 'TestConfig', 'BaseConfig'])
      .default('ProductionConfig'),
  )
  .option('--extension <pathOrName>', 'load this extension too (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
  .addOption(new Option('--devstatus-threshold <level>', 'lowest devstatus to load').choices(['alpha', 'beta', 'prod']))
  .action(async (opts) => {
    process.exitCode = await runServer(opts);
  });

registerExtCommands(program);

await program.parseAsync(process.argv);
