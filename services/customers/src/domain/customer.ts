import type { Identity } from './identity';

/**
 * The customer record. `active` records are people; `merged` records are tombstones that point to
 * the survivor (`mergedInto`); `erased` records are anonymised on request (personal data gone,
 * identities freed, the id kept so order history stays consistent).
 */
export type CustomerStatus = 'active' | 'merged' | 'erased';

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface CustomerAddress {
  id: string;
  label?: string;
  lines: string[];
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  geo?: GeoPoint;
}

export interface ConsentFlag {
  granted: boolean;
  /** When the customer last gave or withdrew it. */
  updatedAt: string;
}

export interface Consents {
  marketingEmail: ConsentFlag;
  marketingSms: ConsentFlag;
}
export const CONSENT_KEYS = ['marketingEmail', 'marketingSms'] as const;
export type ConsentKey = (typeof CONSENT_KEYS)[number];

/** Where a record came from (a walk-in member is created by a store). */
export interface Origin {
  channel: 'online' | 'store' | 'phone' | 'ops';
  storeId?: string;
}

export interface CustomerDoc {
  _id: string;
  status: CustomerStatus;
  name: string;
  addresses: CustomerAddress[];
  consents: Consents;
  level: string;
  /** Cached points balance; always equal to the sum of this customer's ledger entries. */
  points: number;
  /** Points ever earned from orders (drives the level). */
  lifetimePoints: number;
  origin: Origin;
  createdAt: string;
  updatedAt: string;
  /** Tombstones: the survivor this record was merged into (always a live record: chains are compressed). */
  mergedInto?: string;
  mergeId?: string;
  mergedAt?: string;
  erasedAt?: string;
  [k: string]: unknown;
}

export function defaultConsents(at: string): Consents {
  return { marketingEmail: { granted: false, updatedAt: at }, marketingSms: { granted: false, updatedAt: at } };
}

/**
 * Consents of a merged person: the most restrictive wins. A flag stays granted only if BOTH records
 * granted it (a withdrawal on either record is a withdrawal by the person); its timestamp is the
 * latest decision that produced the result.
 */
export function mergeConsents(a: Consents, b: Consents): Consents {
  const flag = (x: ConsentFlag, y: ConsentFlag): ConsentFlag => {
    if (x.granted && y.granted) return { granted: true, updatedAt: later(x.updatedAt, y.updatedAt) };
    if (!x.granted && !y.granted) return { granted: false, updatedAt: later(x.updatedAt, y.updatedAt) };
    return x.granted ? { ...y } : { ...x };
  };
  return { marketingEmail: flag(a.marketingEmail, b.marketingEmail), marketingSms: flag(a.marketingSms, b.marketingSms) };
}

function later(a: string, b: string): string {
  return a >= b ? a : b;
}

export const MAX_ADDRESSES = 20;

/** Same place, whatever the label and id: compared on lines, city, postal code and country. */
export function sameAddress(a: CustomerAddress, b: CustomerAddress): boolean {
  const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
  return (
    a.country === b.country &&
    norm(a.city) === norm(b.city) &&
    norm(a.postalCode) === norm(b.postalCode) &&
    a.lines.length === b.lines.length &&
    a.lines.every((l, i) => norm(l) === norm(b.lines[i]!))
  );
}

/** The survivor's addresses first, then the merged record's new ones (duplicates dropped, capped). */
export function mergeAddresses(survivor: CustomerAddress[], merged: CustomerAddress[]): CustomerAddress[] {
  const out = [...survivor];
  for (const addr of merged) {
    if (out.length >= MAX_ADDRESSES) break;
    if (!out.some((a) => sameAddress(a, addr))) out.push(addr);
  }
  return out;
}

/**
 * Which of two records survives a merge: an explicit choice, else the older record (created first;
 * ties broken by id) — the older one is what most references already point to.
 */
export function chooseSurvivor(a: CustomerDoc, b: CustomerDoc, explicitSurvivorId?: string): { survivor: CustomerDoc; merged: CustomerDoc } {
  if (explicitSurvivorId !== undefined) {
    return explicitSurvivorId === b._id ? { survivor: b, merged: a } : { survivor: a, merged: b };
  }
  const aFirst = a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a._id < b._id);
  return aFirst ? { survivor: a, merged: b } : { survivor: b, merged: a };
}

/** The public view of a customer (HTTP and export). */
export interface CustomerView {
  id: string;
  status: CustomerStatus;
  name: string;
  identities: Array<Pick<Identity, 'kind' | 'value' | 'verified' | 'addedAt'> & { verifiedAt?: string }>;
  addresses: CustomerAddress[];
  consents: Consents;
  level: string;
  points: number;
  lifetimePoints: number;
  origin: Origin;
  createdAt: string;
  updatedAt: string;
  /** Set when the requested id was merged into this customer. */
  resolvedFrom?: string;
  erasedAt?: string;
}

export function toView(doc: CustomerDoc, identities: Identity[], resolvedFrom?: string): CustomerView {
  return {
    id: doc._id,
    status: doc.status,
    name: doc.name,
    identities: identities.map((i) => ({
      kind: i.kind,
      value: i.value,
      verified: i.verified,
      addedAt: i.addedAt,
      ...(i.verifiedAt ? { verifiedAt: i.verifiedAt } : {}),
    })),
    addresses: doc.addresses,
    consents: doc.consents,
    level: doc.level,
    points: doc.points,
    lifetimePoints: doc.lifetimePoints,
    origin: doc.origin,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    ...(resolvedFrom ? { resolvedFrom } : {}),
    ...(doc.erasedAt ? { erasedAt: doc.erasedAt } : {}),
  };
}
