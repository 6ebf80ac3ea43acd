import { Type } from 'typebox';

/**
 * Shared id schemas for path parameters (and bodies) of every service. Ids are checked by pattern at
 * the edge, and never one of Object.prototype's property names (`constructor`, `__proto__`,
 * `toString`, ...): an id is used as a key in maps, and such a key must not even reach a lookup.
 */
export const RESERVED_ID_NAMES: readonly string[] = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']),
].sort();

const notReserved = `(?!(?:${RESERVED_ID_NAMES.join('|')})$)`;

/** Store (and location) ids: what identity accepts in an account's stores, minus reserved names. */
export const STORE_ID_PATTERN = `^${notReserved}[A-Za-z0-9_:-]{1,100}$`;
/** SKU codes, as catalog defines them. */
export const SKU_PATTERN = `^${notReserved}[A-Za-z0-9._-]{1,64}$`;
/** Any other entity id (orders, reservations, tasks, jobs, riders, zones...): ULIDs and composed ids. */
export const ENTITY_ID_PATTERN = `^${notReserved}[A-Za-z0-9._~:-]{1,200}$`;

export const StoreId = Type.String({ minLength: 1, maxLength: 100, pattern: STORE_ID_PATTERN });
export const SkuId = Type.String({ minLength: 1, maxLength: 64, pattern: SKU_PATTERN });
export const EntityId = Type.String({ minLength: 1, maxLength: 200, pattern: ENTITY_ID_PATTERN });

/** An id schema with a service's own character set and length, still refusing reserved names. */
export function idSchema(charClass: string, maxLength: number) {
  return Type.String({ minLength: 1, maxLength, pattern: `^${notReserved}[${charClass}]{1,${maxLength}}$` });
}
