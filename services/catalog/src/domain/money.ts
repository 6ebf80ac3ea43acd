import { BadRequestError, type FieldError } from '@omni/kit';

/** Integer minor units + ISO 4217 code, as everywhere in Omni (never a float). */
export interface Money {
  amountMinor: number;
  currency: string;
}

/** Upper bound of a price: 10^12 minor units (10 billion in a 2-decimal currency), far below 2^53. */
export const MAX_PRICE_MINOR = 1_000_000_000_000;

/** ISO 4217 codes this runtime knows (ICU's list), so "ABC" is rejected, not just "eur" or "EU". */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Field errors of a price (empty when valid): integer, not negative, bounded, known currency. */
export function priceErrors(price: Money, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!Number.isSafeInteger(price.amountMinor)) {
    errors.push({ field: `${field}/amountMinor`, message: 'must be an integer amount in minor units' });
  } else if (price.amountMinor < 0) {
    errors.push({ field: `${field}/amountMinor`, message: 'must not be negative' });
  } else if (price.amountMinor > MAX_PRICE_MINOR) {
    errors.push({ field: `${field}/amountMinor`, message: `must be at most ${MAX_PRICE_MINOR}` });
  }
  if (!/^[A-Z]{3}$/.test(price.currency)) {
    errors.push({ field: `${field}/currency`, message: 'must be an ISO 4217 code of 3 upper-case letters' });
  } else if (!KNOWN_CURRENCIES.has(price.currency)) {
    errors.push({ field: `${field}/currency`, message: `unknown ISO 4217 currency ${price.currency}` });
  }
  return errors;
}

export function assertValidPrice(price: Money, field: string): void {
  const errors = priceErrors(price, field);
  if (errors.length > 0) throw new BadRequestError('The price is not valid', errors);
}

export function sameMoney(a: Money | undefined, b: Money | undefined): boolean {
  return a === b || (!!a && !!b && a.amountMinor === b.amountMinor && a.currency === b.currency);
}
