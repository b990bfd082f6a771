import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Keys that must never reach a log line. pino replaces them with "[redacted]" at any depth we list.
 * Add to this list rather than relying on callers to remember.
 */
const REDACT_PATHS = [
  'password', '*.password', 'user_secret', '*.user_secret', 'plaintextUserSecret', '*.plaintextUserSecret',
  'token', '*.token', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie', 'headers.cookie',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; tests pass a stream to capture output. Default: stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.SPECTER_LOG_LEVEL ?? 'info';
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, options.destination);
}
