import { BadRequestError, type FieldError } from '@omni/kit';
import { newId } from '@omni/store';
import { InvalidIdentityError, identityKey, normaliseIdentity, type IdentityKind } from '../domain/identity';
import type { ConsentKey, Consents, CustomerAddress } from '../domain/customer';
import type { IdentityInput } from './attach-identity';
import type { CustomersContext } from './context';

export interface RawIdentity {
  kind: IdentityKind;
  value: string;
  verified?: boolean;
}

/**
 * Normalises identities from a request, collecting every problem (so the client sees all bad fields
 * at once) and rejecting the same identity given twice. Throws 400 before anything is written.
 */
export function normaliseIdentities(
  ctx: Pick<CustomersContext, 'identity'>,
  raw: RawIdentity[],
  /** Field path of the i-th identity in the request, for the problem document. */
  fieldOf: (i: number) => string,
): IdentityInput[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const out: IdentityInput[] = [];
  raw.forEach((r, i) => {
    try {
      const value = normaliseIdentity(r.kind, r.value, ctx.identity);
      const key = identityKey(r.kind, value);
      if (seen.has(key)) errors.push({ field: `${fieldOf(i)}/value`, message: 'is given twice' });
      seen.add(key);
      out.push({ kind: r.kind, value, verified: r.verified ?? false });
    } catch (err) {
      if (!(err instanceof InvalidIdentityError)) throw err;
      errors.push({ field: `${fieldOf(i)}/value`, message: err.reason });
    }
  });
  if (errors.length > 0) throw new BadRequestError('Some identities are not valid', errors);
  return out;
}

export type AddressInput = Omit<CustomerAddress, 'id'>;

export function toAddress(input: AddressInput): CustomerAddress {
  return {
    id: newId(),
    ...(input.label ? { label: input.label.trim() } : {}),
    lines: input.lines.map((l) => l.trim()),
    city: input.city.trim(),
    postalCode: input.postalCode.trim(),
    country: input.country,
    ...(input.geo ? { geo: { lat: input.geo.lat, lng: input.geo.lng } } : {}),
  };
}

/** Applies consent changes; only flags whose value changes get a new timestamp. */
export function applyConsents(current: Consents, changes: Partial<Record<ConsentKey, boolean>>, at: string): Consents {
  const next: Consents = { marketingEmail: { ...current.marketingEmail }, marketingSms: { ...current.marketingSms } };
  for (const key of Object.keys(changes) as ConsentKey[]) {
    const granted = changes[key];
    if (granted === undefined || next[key].granted === granted) continue;
    next[key] = { granted, updatedAt: at };
  }
  return next;
}
