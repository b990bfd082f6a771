import { createLogger } from '../log/index.js';

/**
 * The few logger methods the persistence layer uses, pino-style (`obj, msg`). A pino `Logger`
 * satisfies it; tests pass a recorder. Never log file contents: data files hold wallet data and
 * encrypted secrets.
 */
export interface PersistenceLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Created on first use, so importing the layer does not build a pino instance nobody needs. */
export function lazyDefaultLogger(): () => PersistenceLogger {
  let logger: PersistenceLogger | undefined;
  return () => (logger ??= createLogger().child({ module: 'persistence' }));
}
