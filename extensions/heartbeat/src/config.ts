export class BaseConfig {
  /** Seconds between beats. */
  HEARTBEAT_INTERVAL_SECONDS = 60;
}

export class DevelopmentConfig extends BaseConfig {
  override HEARTBEAT_INTERVAL_SECONDS = 10;
}
