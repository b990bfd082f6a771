import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Keys that must never reach a log line. pino replaces them with "[redacted]" at any depth we list.
 * Add to this list rather than relying on callers to remember.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  'user_secret',
  '*.user_secret',
  'plaintextUserSecret',
  '*.plaintextUserSecret',
  'token',
  '*.token',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.cookie',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; tests pass a stream to capture output. Default: stdout. */
  destination?: DestinationStream;
}

/**
 * JSON lines by default (for files and log collectors); readable lines when a person watches a
 * terminal, unless SPECTER_LOG_FORMAT=json.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.SPECTER_LOG_LEVEL ?? 'info';
  const human = !options.destination && process.stdout.isTTY && process.env.SPECTER_LOG_FORMAT !== 'json';
  const destination =
    options.destination ?? (human ? pretty({ colorize: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }) : undefined);
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}
