/**
 * Config classes named like the core chain; the first match walking the app's chain wins
 * (ProductionConfig → BaseConfig). Keys must not exist in the core config.
 */
export class BaseConfig {
  DONATE_MESSAGE = 'Thank you for supporting this project.';
}

export class TestConfig extends BaseConfig {
  override DONATE_MESSAGE = 'Test donations welcome.';
}
