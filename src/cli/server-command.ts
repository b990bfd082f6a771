import { loadConfig } from '../config/index.js';
import { createLogger } from '../log/index.js';
import { isSpecterError } from '../errors/index.js';
import { Specter } from '../specter/index.js';
import { buildApp } from '../server/app.js';

export interface ServerCommandOptions {
  host?: string;
  port?: number;
  dataFolder?: string;
  config: string;
  extension: string[];
  devstatusThreshold?: string;
}

/**
 * Starts the server and resolves once it is listening. Startup errors (a corrupt data file, a bad
 * setting) end in one clear message and a non-zero exit code, never a stack trace or a rewrite.
 */
export async function runServer(opts: ServerCommandOptions): Promise<number> {
  let logger = createLogger();
  try {
    const { config, chain } = loadConfig(opts.config, {
      overrides: {
        HOST: opts.host,
        PORT: opts.port,
        SPECTER_DATA_FOLDER: opts.dataFolder,
        SERVICES_DEVSTATUS_THRESHOLD: opts.devstatusThreshold,
      },
    });
    if (opts.extension.length) config.EXTENSION_LIST = [...config.EXTENSION_LIST, ...opts.extension];
    logger = createLogger({ level: String(config.LOG_LEVEL) });
    const specter = await Specter.create({ config, configChain: chain, logger });
    const app = await buildApp(specter);
    const address = await app.listen({ host: config.HOST, port: Number(config.PORT) });
    logger.info({ dataFolder: specter.dataFolder, config: chain[0] }, `Specter TS ${specter.version} listening on ${address}`);
    const shutdown = async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      // The seed's cleanup_on_exit, then the app (which stops the scheduler and the extensions).
      await specter.extensionManager.callbacks.execute('cleanup_on_exit', signal);
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    return 0;
  } catch (err) {
    if (isSpecterError(err)) {
      process.stderr.write(`specter: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`);
      return 1;
    }
    process.stderr.write(`specter: could not start: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
