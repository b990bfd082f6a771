import { Cron } from 'croner';
import { SpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { ExtensionHealth } from './health.js';

/** When a job runs: every N seconds, a cron pattern (5 or 6 fields), or once at a date. */
export type JobSchedule = { seconds: number } | { cron: string; timezone?: string } | { at: Date | string };

export interface JobContext {
  /** Namespaced id, `<extId>:<id>`. */
  jobId: string;
  extId: string;
  /** Aborted when the scheduler stops: long jobs should give up early. */
  signal: AbortSignal;
}

export type JobFn = (ctx: JobContext) => unknown;

export interface JobInfo {
  id: string;
  ext: string;
  schedule: string;
  nextRun: Date | null;
  running: boolean;
  lastRun: Date | null;
  lastError: string | null;
  runs: number;
  failures: number;
}

export type JobRunResult = { status: 'ok' } | { status: 'error'; error: Error } | { status: 'skipped'; reason: string };

/** The scheduler as one extension sees it: job ids are local and namespaced for it. */
export interface ExtensionScheduler {
  readonly extId: string;
  /** Adds a job; returns its full id `<extId>:<id>`. */
  addJob(id: string, fn: JobFn, schedule: JobSchedule): string;
  removeJob(id: string): boolean;
  runNow(id: string): Promise<JobRunResult>;
  list(): JobInfo[];
}

export interface SchedulerOptions {
  health: ExtensionHealth;
  logger: Logger;
  /** Let the process exit while jobs are scheduled (default true; the server keeps it alive). */
  unref?: boolean;
}

interface Job {
  id: string;
  ext: string;
  fn: JobFn;
  scheduleText: string;
  cron: Cron;
  running: Promise<JobRunResult> | null;
  lastRun: Date | null;
  lastError: string | null;
  runs: number;
  failures: number;
}

const JOB_ID = /^[A-Za-z0-9_.-]+$/;

function describe(schedule: JobSchedule): string {
  if ('seconds' in schedule) return `every ${schedule.seconds}s`;
  if ('cron' in schedule) return schedule.timezone ? `cron ${schedule.cron} (${schedule.timezone})` : `cron ${schedule.cron}`;
  return `at ${new Date(schedule.at).toISOString()}`;
}

/**
 * Extension jobs on croner (library-choices.md §7). What croner does not do, this wrapper does:
 * no overlapping runs of one job (a tick while it runs is skipped), errors caught and counted by
 * the shared {@link ExtensionHealth} (a tripped extension's jobs are skipped), and `stop()` that
 * waits for running jobs.
 */
export class Scheduler {
  readonly #health: ExtensionHealth;
  readonly #logger: Logger;
  readonly #unref: boolean;
  readonly #jobs = new Map<string, Job>();
  readonly #inflight = new Set<Promise<JobRunResult>>();
  readonly #abort = new AbortController();
  /** Per extension: aborted when that extension is unloaded (its jobs' signal follows it and the shutdown). */
  readonly #extAbort = new Map<string, { controller: AbortController; signal: AbortSignal }>();
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#health = options.health;
    this.#logger = options.logger;
    this.#unref = options.unref ?? true;
  }

  addJob(extId: string, id: string, fn: JobFn, schedule: JobSchedule): string {
    const jobId = `${extId}:${id}`;
    const invalid = (message: string, hint: string): never => {
      throw new SpecterError('EXT_JOB_INVALID', `Job "${jobId}" of extension "${extId}": ${message}`, { hint, details: { jobId, ext: extId } });
    };
    if (this.#stopped) invalid('the scheduler is stopped (shutdown in progress).', 'Add jobs in callback_after_serverpy_init_app.');
    if (!JOB_ID.test(id)) invalid(`id "${id}" is not valid.`, 'Use letters, digits, "_", "-" and ".".');
    if (typeof fn !== 'function') invalid('the job is not a function.', 'Pass a function: addJob("id", async () => {...}, {seconds: 60}).');
    if (this.#jobs.has(jobId)) invalid('a job with this id exists already.', 'Use a different id, or removeJob() first.');
    const job: Job = {
      id: jobId,
      ext: extId,
      fn,
      scheduleText: '',
      cron: undefined as unknown as Cron,
      running: null,
      lastRun: null,
      lastError: null,
      runs: 0,
      failures: 0,
    };
    const options = { unref: this.#unref, catch: true, protect: true };
    const tick = async (): Promise<void> => {
      await this.#run(job, false);
    };
    try {
      if (schedule && 'seconds' in schedule) {
        const s = schedule.seconds;
        if (!Number.isInteger(s) || s < 1) invalid(`"seconds" is ${JSON.stringify(s)}.`, 'Use a whole number of seconds ≥ 1.');
        // Fire every second, at most once per `s` seconds: croner's interval. The first run comes
        // after `s` seconds, not at once (APScheduler's interval trigger does the same): a job
        // must not race the app's own start-up, and a test's first requests.
        job.cron = new Cron('* * * * * *', { ...options, interval: s, startAt: new Date(Date.now() + s * 1000) }, tick);
      } else if (schedule && 'cron' in schedule) {
        job.cron = new Cron(schedule.cron, schedule.timezone ? { ...options, timezone: schedule.timezone } : options, tick);
      } else if (schedule && 'at' in schedule) {
        const at = new Date(schedule.at);
        if (Number.isNaN(at.getTime())) invalid(`"at" is ${JSON.stringify(schedule.at)}.`, 'Use a Date or an ISO 8601 string.');
        if (at.getTime() <= Date.now()) invalid(`"at" (${at.toISOString()}) is in the past.`, 'Use a future date.');
        job.cron = new Cron(at, options, tick);
      } else {
        invalid(`schedule is ${JSON.stringify(schedule)}.`, 'Use {seconds: 60}, {cron: "*/5 * * * *"} or {at: date}.');
      }
    } catch (err) {
      if (err instanceof SpecterError) throw err;
      invalid(
        `schedule ${JSON.stringify(schedule)} is invalid: ${(err as Error).message}.`,
        'Use {seconds: 60}, {cron: "*/5 * * * *"} or {at: date}.',
      );
    }
    job.scheduleText = describe(schedule);
    this.#jobs.set(jobId, job);
    this.#logger.debug({ ext: extId, job: jobId }, `job ${jobId} scheduled (${job.scheduleText})`);
    return jobId;
  }

  /** A view of the scheduler bound to one extension (what `after_serverpy_init_app` hands out). */
  forExtension(extId: string): ExtensionScheduler {
    const prefix = `${extId}:`;
    return {
      extId,
      addJob: (id, fn, schedule) => this.addJob(extId, id, fn, schedule),
      removeJob: (id) => this.removeJob(prefix + id),
      runNow: (id) => this.runNow(prefix + id),
      list: () => this.list().filter((j) => j.ext === extId),
    };
  }

  removeJob(jobId: string): boolean {
    const job = this.#jobs.get(jobId);
    if (!job) return false;
    job.cron.stop();
    this.#jobs.delete(jobId);
    return true;
  }

  /** Removes every job of an extension (when it fails after adding jobs, or is unloaded). */
  removeJobsOf(extId: string): void {
    for (const job of [...this.#jobs.values()]) if (job.ext === extId) this.removeJob(job.id);
  }

  /** Runs a job now (tests, dev harness). If it is running, waits for that run instead. */
  runNow(jobId: string): Promise<JobRunResult> {
    const job = this.#jobs.get(jobId);
    if (!job) {
      return Promise.reject(
        new SpecterError('EXT_JOB_INVALID', `No job "${jobId}".`, { hint: `Known jobs: ${[...this.#jobs.keys()].join(', ') || 'none'}.` }),
      );
    }
    return this.#run(job, true);
  }

  #run(job: Job, manual: boolean): Promise<JobRunResult> {
    if (job.running) {
      if (manual) return job.running;
      this.#logger.debug({ ext: job.ext, job: job.id }, `job ${job.id} still running; tick skipped`);
      return Promise.resolve({ status: 'skipped', reason: 'still running' });
    }
    if (this.#stopped) return Promise.resolve({ status: 'skipped', reason: 'scheduler stopped' });
    if (this.#health.isTripped(job.ext)) return Promise.resolve({ status: 'skipped', reason: `extension "${job.ext}" is switched off` });
    const run = (async (): Promise<JobRunResult> => {
      job.lastRun = new Date();
      job.runs++;
      try {
        await job.fn({ jobId: job.id, extId: job.ext, signal: this.#signalFor(job.ext) });
        job.lastError = null;
        this.#health.recordSuccess(job.ext);
        return { status: 'ok' };
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        job.failures++;
        job.lastError = error.message;
        this.#health.recordFailure(job.ext, `job:${job.id}`, error);
        return { status: 'error', error };
      }
    })();
    job.running = run;
    this.#inflight.add(run);
    void run.finally(() => {
      job.running = null;
      this.#inflight.delete(run);
    });
    return run;
  }

  #signalFor(extId: string): AbortSignal {
    let entry = this.#extAbort.get(extId);
    if (!entry) {
      const controller = new AbortController();
      entry = { controller, signal: AbortSignal.any([this.#abort.signal, controller.signal]) };
      this.#extAbort.set(extId, entry);
    }
    return entry.signal;
  }

  /**
   * Unloading one extension: its schedules stop, its jobs' signal is aborted, and running jobs are
   * awaited (at most `timeoutMs`, default 10 s; past it the wait ends and a warning names them — a
   * job that ignores its signal cannot be stopped from outside). Resolves to the job ids removed.
   */
  async stopJobsOf(extId: string, options: { timeoutMs?: number } = {}): Promise<string[]> {
    const jobs = [...this.#jobs.values()].filter((j) => j.ext === extId);
    const running = jobs.flatMap((j) => (j.running ? [j.running] : []));
    for (const job of jobs) this.removeJob(job.id);
    this.#extAbort.get(extId)?.controller.abort();
    // A reloaded extension gets a fresh signal.
    this.#extAbort.delete(extId);
    if (running.length) {
      const timeoutMs = options.timeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const done = await Promise.race([Promise.allSettled(running).then(() => 'done' as const), timeout]);
      clearTimeout(timer);
      if (done === 'timeout') {
        const still = jobs.filter((j) => j.running).map((j) => j.id);
        this.#logger.warn(
          { ext: extId, jobs: still },
          `extension "${extId}" unloaded; jobs still running after ${timeoutMs} ms: ${still.join(', ')}`,
        );
      }
    }
    return jobs.map((j) => j.id);
  }

  list(): JobInfo[] {
    return [...this.#jobs.values()].map((job) => ({
      id: job.id,
      ext: job.ext,
      schedule: job.scheduleText,
      nextRun: this.#stopped ? null : job.cron.nextRun(),
      running: job.running !== null,
      lastRun: job.lastRun,
      lastError: job.lastError,
      runs: job.runs,
      failures: job.failures,
    }));
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Stops all schedules, aborts the jobs' signal and waits for running jobs (croner alone does
   * not wait). After `timeoutMs` it gives up waiting and logs which jobs are still running.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#stopped = true;
    for (const job of this.#jobs.values()) job.cron.stop();
    this.#abort.abort();
    if (this.#inflight.size === 0) return;
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const done = await Promise.race([Promise.allSettled([...this.#inflight]).then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (done === 'timeout') {
      const still = [...this.#jobs.values()].filter((j) => j.running).map((j) => j.id);
      this.#logger.warn({ jobs: still }, `scheduler stopped; jobs still running after ${timeoutMs} ms: ${still.join(', ')}`);
    }
  }
}
