export { catalogue, type ErrorKey, type CatalogueEntry } from './catalogue.js';
export { SpecterError, isSpecterError, type SpecterErrorOptions } from './specter-error.js';
