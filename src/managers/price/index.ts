export { btcPriceSchema, priceProviderSchema, type PriceProvider } from './price-provider.js';
export { PRICE_FILE, PriceStore, priceFileSchema, type PriceFile, type PriceRate, type ProviderState } from './price-store.js';
export {
  formatAge,
  PriceService,
  type PriceProviderInfo,
  type PriceProviderStatus,
  type PriceServiceOptions,
  type PriceSettings,
  type PriceStatus,
  type PriceView,
} from './price-service.js';
