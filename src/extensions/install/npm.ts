import { execFile } from 'node:child_process';
import { SpecterError } from '../../errors/index.js';

/**
 * npm as a child process: an argv array (no shell, so nothing in a package spec is interpreted),
 * a time limit, and npm's failures turned into catalogue errors a user can act on.
 */
export interface NpmOptions {
  cwd: string;
  /** Kill npm after this long (default 5 minutes). */
  timeoutMs?: number;
  /** The npm executable (default "npm" from PATH). */
  command?: string;
  env?: NodeJS.ProcessEnv;
}

export interface NpmResult {
  stdout: string;
  stderr: string;
}

/** npm's error lines, trimmed to what a person reads. */
function npmErrorLines(stderr: string): string {
  const lines = stderr
    .split('\n')
    .filter((l) => /^npm (error|ERR!)/.test(l) && !/A complete log of this run|^npm (error|ERR!)\s*$/.test(l))
    .map((l) => l.replace(/^npm (error|ERR!)\s*/, ''));
  return (lines.length ? lines : stderr.trim().split('\n')).slice(0, 6).join(' | ');
}

const NETWORK = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT)\b/;

/** Maps a failed npm run to a SpecterError (exported for tests). */
export function npmFailure(args: readonly string[], stderr: string, timedOut: boolean, timeoutMs: number): SpecterError {
  const what = `npm ${args[0] ?? ''}`.trim();
  const said = npmErrorLines(stderr);
  if (timedOut) {
    return new SpecterError('EXT_INSTALL_FAILED', `${what} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`, {
      hint: "Check the network and npm's registry setting, then try again.",
    });
  }
  if (NETWORK.test(stderr)) {
    return new SpecterError('EXT_REGISTRY_UNREACHABLE', `${what}: the npm registry could not be reached (${said}).`, {
      hint: 'Check the network, or npm\'s "registry" and "proxy" settings; or install from a tarball file instead.',
    });
  }
  if (/\bE404\b|404 Not Found/.test(stderr)) {
    return new SpecterError('EXT_PACKAGE_NOT_FOUND', `${what}: the registry has no such package (${said}).`, {
      hint: 'Check the package name and version.',
    });
  }
  if (/\bETARGET\b/.test(stderr)) {
    return new SpecterError('EXT_PACKAGE_NOT_FOUND', `${what}: no version matches (${said}).`, { hint: 'Check the version range.' });
  }
  return new SpecterError('EXT_INSTALL_FAILED', `${what} failed: ${said}`, {
    hint: 'Run it again; the npm log named in its output has the details.',
  });
}

export function runNpm(args: readonly string[], options: NpmOptions): Promise<NpmResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  return new Promise((resolve, reject) => {
    execFile(
      options.command ?? 'npm',
      [...args],
      { cwd: options.cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: options.env ?? process.env, killSignal: 'SIGTERM' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !stderr) {
          return reject(
            new SpecterError('EXT_INSTALL_FAILED', `npm was not found (${options.command ?? 'npm'}).`, {
              hint: 'Install Node.js with npm, or put npm on the PATH.',
            }),
          );
        }
        reject(npmFailure(args, String(stderr), (err as { killed?: boolean }).killed === true, timeoutMs));
      },
    );
  });
}

/** Flags on every npm call: no install scripts (they would run before the signature is checked), no audit or funding calls. */
export const NPM_FLAGS = ['--ignore-scripts', '--no-audit', '--no-fund'] as const;
