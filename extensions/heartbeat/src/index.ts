import fs from 'node:fs/promises';
import path from 'node:path';
import { Extension, type ExtensionScheduler } from 'specter-ts';

export interface Beat {
  beat: number;
  at: string;
}

const KEEP = 20;

/**
 * A scheduled job plus an extension-defined callback. The beats live in the extension's own data
 * folder (`<data>/extensions/heartbeat/beats.json`) — the seed's "do your own thing" persistence.
 */
export default class HeartbeatExtension extends Extension {
  private beats: Beat[] = [];

  private get file(): string {
    return path.join(this.dataFolder, 'beats.json');
  }

  override async callback_after_serverpy_init_app({ scheduler }: { scheduler: ExtensionScheduler }): Promise<void> {
    this.beats = await this.readBeats();
    scheduler.addJob('beat', () => this.beat(), { seconds: Number(this.config.HEARTBEAT_INTERVAL_SECONDS) });
  }

  async beat(): Promise<Beat> {
    const next: Beat = { beat: (this.beats.at(-1)?.beat ?? 0) + 1, at: new Date().toISOString() };
    this.beats = [...this.beats, next].slice(-KEEP);
    const tmp = `${this.file}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(this.beats));
    await fs.rename(tmp, this.file);
    await this.callbacks.execute('heartbeat_tick', next);
    return next;
  }

  recentBeats(): readonly Beat[] {
    return this.beats;
  }

  private async readBeats(): Promise<Beat[]> {
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(this.file, 'utf8'));
      return Array.isArray(parsed) ? (parsed as Beat[]) : [];
    } catch {
      return [];
    }
  }
}
