import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log/index.js';
import type { JsonFileStore } from '../../persistence/index.js';

/** `<data>/price.json`: the last good rate (a restart shows it with its age) and each provider's last outcome. */
export const PRICE_FILE = 'price.json';

const rateSchema = z.object({
  currency: z.string(),
  btcPrice: z.number().finite().positive(),
  /** The provider id. */
  source: z.string(),
  /** ISO time the provider answered. */
  at: z.string(),
});

const providerStateSchema = z.object({
  lastOk: z.string().nullable().default(null),
  lastError: z.object({ at: z.string(), message: z.string() }).nullable().default(null),
});

export const priceFileSchema = z.object({
  rate: rateSchema.nullable().default(null),
  providers: z.record(z.string(), providerStateSchema).default({}),
});

export type PriceRate = z.infer<typeof rateSchema>;
export type ProviderState = z.infer<typeof providerStateSchema>;
export type PriceFile = z.infer<typeof priceFileSchema>;

/** Reads and writes price.json. The file is a cache: a missing or broken one starts empty (with a warning). */
export class PriceStore {
  readonly filePath: string;

  constructor(
    dataFolder: string,
    private readonly store: JsonFileStore,
    private readonly logger: Logger,
  ) {
    this.filePath = path.join(dataFolder, PRICE_FILE);
  }

  async load(): Promise<PriceFile> {
    try {
      const parsed = priceFileSchema.safeParse((await this.store.read<unknown>(this.filePath)) ?? {});
      if (parsed.success) return parsed.data;
      this.logger.warn({ path: this.filePath }, `${PRICE_FILE} is not as expected; the last price is forgotten`);
    } catch (err) {
      this.logger.warn({ err, path: this.filePath }, `${PRICE_FILE} could not be read; the last price is forgotten`);
    }
    return priceFileSchema.parse({});
  }

  async save(data: PriceFile): Promise<void> {
    await this.store.write(this.filePath, data);
  }
}
