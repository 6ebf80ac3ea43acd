import { AppError, createGrpcClient, type PromiseClient } from '@omni/kit';
import { catalog, common, customers, inventory } from '@omni/proto';
import type { LocationOption } from '../domain/routing';
import type { Channel, GeoPoint, Line } from '../domain/types';

/** gRPC clients of the services orders calls while placing and running sagas. */
export interface Upstreams {
  catalog: PromiseClient<typeof catalog.CatalogServiceService>;
  inventory: PromiseClient<typeof inventory.InventoryServiceService>;
  customers: PromiseClient<typeof customers.CustomersServiceService>;
  close(): void;
}

export interface UpstreamAddresses {
  catalogAddress: string;
  inventoryAddress: string;
  customersAddress: string;
  /** Bearer token for outgoing calls (a service token with the scopes orders needs). */
  serviceToken: () => Promise<string>;
}

export function createUpstreams(a: UpstreamAddresses, deadlineMs: number): Upstreams {
  const opts = { token: a.serviceToken, deadlineMs };
  const c = {
    catalog: createGrpcClient(catalog.CatalogServiceService, a.catalogAddress, opts),
    inventory: createGrpcClient(inventory.InventoryServiceService, a.inventoryAddress, opts),
    customers: createGrpcClient(customers.CustomersServiceService, a.customersAddress, opts),
  };
  return {
    ...c,
    close() {
      c.catalog.close();
      c.inventory.close();
      c.customers.close();
    },
  };
}

export function channelToProto(channel: Channel): common.Channel {
  switch (channel) {
    case 'online':
      return common.Channel.CHANNEL_ONLINE;
    case 'store':
      return common.Channel.CHANNEL_STORE;
    case 'phone':
      return common.Channel.CHANNEL_PHONE;
  }
}

export const CAPABILITY = {
  ship: inventory.Capability.CAPABILITY_SHIPS,
  pickup: inventory.Capability.CAPABILITY_PICKUP,
  delivery: inventory.Capability.CAPABILITY_LOCAL_DELIVERY,
} as const;

/** Asks inventory which locations can serve the basket, mapped to routing's input. */
export async function findLocations(
  inv: Upstreams['inventory'],
  req: {
    lines: Line[];
    method: keyof typeof CAPABILITY;
    near?: GeoPoint;
    radiusKm?: number;
    exclude: string[];
    limit?: number;
  },
  deadlineMs: number,
): Promise<LocationOption[]> {
  const res = await inv.findFulfillmentLocations(
    {
      lines: req.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      capability: CAPABILITY[req.method],
      near: req.near,
      radiusKm: req.radiusKm ?? 0,
      excludeLocationIds: req.exclude,
      limit: req.limit ?? 20,
    },
    { deadlineMs },
  );
  return res.locations.map((l) => ({
    locationId: l.locationId,
    ...(l.name ? { name: l.name } : {}),
    type: l.type === 'warehouse' ? 'warehouse' : 'store',
    // inventory reports 0 when it had no origin to measure from
    ...(req.near ? { distanceKm: l.distanceKm } : {}),
    coversAll: l.coversAll,
    available: l.available.map((a) => ({ sku: a.sku, qty: a.qty })),
    ...(l.geo ? { geo: { lat: l.geo.lat, lng: l.geo.lng } } : {}),
  }));
}

/** An upstream error's HTTP-like status (gRPC errors arrive as AppError via the kit), or undefined. */
export function statusOf(err: unknown): number | undefined {
  return err instanceof AppError ? err.status : undefined;
}

/** Transient: worth retrying with the same idempotency key (unavailable, deadline, overload, conflict). */
export function isTransient(err: unknown): boolean {
  const s = statusOf(err);
  if (s === undefined) return true; // network errors, timeouts of our own, unexpected throws
  return s === 409 || s === 429 || s >= 500;
}
