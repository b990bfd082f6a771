/**
 * Auto-withdraw configuration, merged into the app config by the config class chain
 * (TestConfig → BaseConfig, ProductionConfig → BaseConfig). Read it as `ext.config.AUTOWITHDRAW_…`.
 */
export class BaseConfig {
  /** The exchange API base URL; the job POSTs to `<url>/withdrawal-addresses`. */
  AUTOWITHDRAW_API_URL = 'https://api.example-exchange.invalid';
  /** Seconds between two runs of the sync job. */
  AUTOWITHDRAW_INTERVAL_SECONDS = 600;
  /** Give up on one exchange call after this many milliseconds. */
  AUTOWITHDRAW_HTTP_TIMEOUT_MS = 10_000;
  /** Unused addresses kept reserved for the exchange in the chosen wallet. */
  AUTOWITHDRAW_RESERVED_ADDRESSES = 10;
}

export class ProductionConfig extends BaseConfig {}

/** A placeholder nobody listens on: tests point the extension at their own loopback server. */
export class TestConfig extends BaseConfig {
  override AUTOWITHDRAW_API_URL = 'http://127.0.0.1:0';
  override AUTOWITHDRAW_INTERVAL_SECONDS = 3600;
  override AUTOWITHDRAW_HTTP_TIMEOUT_MS = 2_000;
}
