/**
 * Extension statuses as the "Choose plugins" page says them. The CLI and the JSON API keep the
 * precise ids and reasons (`below-devstatus`, `SERVICES_DEVSTATUS_THRESHOLD`) for scripts and
 * operators; the page says what it means and, to the admin who can act on it, how to change it.
 */
import type { Devstatus, ExtensionStatusInfo } from '../../extensions/index.js';

export const DEVSTATUS_WORDS: Record<Devstatus, string> = {
  alpha: 'alpha (early testing)',
  beta: 'beta (testing)',
  prod: 'production',
};

const STATUS_WORDS: Record<ExtensionStatusInfo['status'], string> = {
  loaded: 'loaded',
  disabled: 'switched off',
  'below-devstatus': 'not loaded: still in testing',
  incompatible: 'made for another version',
  'missing-dependency': 'needs a plugin that is missing',
  failed: 'failed to load',
};

const LEVELS: Devstatus[] = ['alpha', 'beta', 'prod'];

/** "beta (testing) or production" — the levels a threshold lets through. */
function allowedFrom(threshold: Devstatus): string {
  const allowed = LEVELS.slice(LEVELS.indexOf(threshold)).map((d) => DEVSTATUS_WORDS[d]);
  return allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed[0]!;
}

export interface StatusWords {
  status_text: string;
  reason_text: string;
  /** How an admin changes it, or null. */
  fix: string | null;
}

export function statusWords(row: Pick<ExtensionStatusInfo, 'status' | 'reason' | 'devstatus'>, threshold: Devstatus): StatusWords {
  const status_text = STATUS_WORDS[row.status] ?? row.status;
  if (row.status === 'below-devstatus' && row.devstatus) {
    return {
      status_text,
      reason_text: `This plugin is marked ${DEVSTATUS_WORDS[row.devstatus]}; this installation loads only plugins marked ${allowedFrom(threshold)}.`,
      fix: `To load it, restart Specter TS with --devstatus-threshold ${row.devstatus} (or the environment variable SERVICES_DEVSTATUS_THRESHOLD=${row.devstatus}). Plugins in testing may change or lose their data.`,
    };
  }
  return { status_text, reason_text: row.reason, fix: null };
}
