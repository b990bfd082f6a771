/**
 * Extension storage latency after login: `node dist/bench/storage.js [ops]`.
 *
 * Prints the login cost (PBKDF2-HMAC-SHA256, 390,000 iterations, inside UserManager.authenticate)
 * and the median / p99 of get and update on the encrypted store (and, for comparison, the
 * unencrypted one), each through the current-user facade inside a request context, on a real
 * data folder in the OS temp dir (every update is a durable write: temp file, fsync, rename,
 * folder fsync). Figures only; no assertions.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ExtensionStorage } from '../src/extensions/storage/index.js';
import { createLogger } from '../src/log/index.js';
import { requestContext, UserManager } from '../src/managers/users/index.js';
import { JsonFileStore } from '../src/persistence/index.js';

const OPS = Number(process.argv[2] ?? 2000);
const WARMUP = 100;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function report(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  console.log(
    `${label.padEnd(26)} n=${samples.length}  median ${quantile(sorted, 0.5).toFixed(3)} ms  p99 ${quantile(sorted, 0.99).toFixed(3)} ms  mean ${mean.toFixed(3)} ms`,
  );
}

async function timeOps(n: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await op(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    samples.push(performance.now() - t);
  }
  return samples;
}

async function main(): Promise<void> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'specter-bench-storage-')));
  try {
    const logger = createLogger({ level: 'silent' });
    const store = new JsonFileStore({ logger });
    const users = new UserManager(dir, store, logger);
    await users.load();
    await users.addUser('bench', 'bench password');

    let t = performance.now();
    await users.authenticate('bench', 'bench password'); // first login: generates and wraps the secret
    const firstLogin = performance.now() - t;
    users.lock('bench');
    t = performance.now();
    const user = await users.authenticate('bench', 'bench password'); // a normal login: unwraps it
    const login = performance.now() - t;
    if (!user) throw new Error('login failed');
    console.log(`login (authenticate, PBKDF2 390k): first ${firstLogin.toFixed(1)} ms (wraps a new secret), again ${login.toFixed(1)} ms (unwraps)`);

    const storage = new ExtensionStorage({ dataFolder: dir, store, users, authMethod: () => 'usernamepassword' });
    await requestContext.run({ user }, async () => {
      // A realistic file: a few other extensions' entries next to the one under test.
      for (const ext of ['swan', 'notifications', 'devhelp', 'spectrum']) {
        await storage.setCurrentUserServiceData(ext, true, { wallet: 'w1', token: 'x'.repeat(200), n: 1 });
        await storage.setCurrentUserServiceData(ext, false, { wallet: 'w1', n: 1 });
      }
      for (const encrypt of [true, false]) {
        const kind = encrypt ? 'encrypted' : 'unencrypted';
        const updates = await timeOps(OPS, (i) => storage.updateCurrentUserServiceData('bench', encrypt, { counter: i, at: Date.now() }));
        const gets = await timeOps(OPS, () => storage.getCurrentUserServiceData('bench', encrypt));
        report(`get (${kind})`, gets);
        report(`update (${kind})`, updates);
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
