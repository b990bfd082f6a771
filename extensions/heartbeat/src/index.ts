import { Extension, type ExtensionScheduler } from 'specter-ts';

export interface Beat {
  beat: number;
  at: string;
}

declare module 'specter-ts' {
  /** The callback this extension defines (manifest `callbacks`), typed for `ctx.callbacks.execute`. */
  interface CallbackMap {
    heartbeat_tick: { args: [Beat]; result: unknown };
  }
}

const KEEP = 20;
const FILE = 'beats.json';

/**
 * A scheduled job plus an extension-defined callback. The beats live in the extension's own data
 * folder (`<data>/extensions/heartbeat/beats.json`, through `ctx.files`) — the seed's "do your own
 * thing" persistence.
 */
export default class HeartbeatExtension extends Extension {
  private beats: Beat[] = [];

  override async callback_after_serverpy_init_app({ scheduler }: { scheduler: ExtensionScheduler }): Promise<void> {
    const stored = await this.ctx.files.readJson<unknown>(FILE).catch(() => undefined);
    this.beats = Array.isArray(stored) ? (stored as Beat[]) : [];
    scheduler.addJob('beat', () => this.beat(), { seconds: Number(this.ctx.config.HEARTBEAT_INTERVAL_SECONDS) });
  }

  async beat(): Promise<Beat> {
    const next: Beat = { beat: (this.beats.at(-1)?.beat ?? 0) + 1, at: new Date().toISOString() };
    this.beats = [...this.beats, next].slice(-KEEP);
    await this.ctx.files.writeJson(FILE, this.beats);
    await this.ctx.callbacks.execute('heartbeat_tick', next);
    return next;
  }

  recentBeats(): readonly Beat[] {
    return this.beats;
  }
}
