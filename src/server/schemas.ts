/**
 * Route schema pieces shared by the areas (zod, through fastify-type-provider-zod). Forms are
 * url-encoded: every field arrives as a string, an absent field as nothing. Form schemas keep
 * unknown fields (the CSRF token is checked after validation) and give absent fields '' so the
 * handler can re-render the form with what the user typed and a precise error.
 */
import { z } from 'zod';

/** A single-valued form field; absent → ''. */
export const formText = z.string().default('');

/**
 * A multi-valued form field (checkbox groups): repeated names, or one comma-separated value (the
 * aliases such lists carry hold no commas) → a list without blanks.
 */
export const formList = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

/** A form body: the named fields, the rest (csrf_token, …) kept as they came. */
export function formBody<T extends z.ZodRawShape>(shape: T) {
  return z.looseObject(shape);
}

/** Path parameters are never empty. */
export const pathParam = z.string().min(1);
