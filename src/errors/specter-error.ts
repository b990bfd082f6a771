import { catalogue, type ErrorKey } from './catalogue.js';

export interface SpecterErrorOptions {
  /** How the user or developer can fix it; shown under the message. */
  hint?: string;
  /** Structured context (path, field, extension id…). Never put secrets here. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The base of every deliberate error. `code` is stable (`SPECTER_ERR_<KEY>`), `message` says what is
 * wrong, `hint` says how to fix it.
 */
export class SpecterError extends Error {
  readonly key: ErrorKey;
  readonly code: `SPECTER_ERR_${ErrorKey}`;
  readonly status: number;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(key: ErrorKey, message: string, options: SpecterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SpecterError';
    this.key = key;
    this.code = `SPECTER_ERR_${key}`;
    this.status = catalogue[key].status;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** Message plus hint, for CLI output and flash messages. */
  get fullMessage(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isSpecterError(err: unknown, key?: ErrorKey): err is SpecterError {
  return err instanceof SpecterError && (key === undefined || err.key === key);
}
