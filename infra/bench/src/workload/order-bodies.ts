import { prng } from './prng';

/** What orders are made of: the same mix on every run, so runs compare. */
export interface OrderMix {
  skus: string[];
  /** Named customers (resolved at customers on every order); empty: walk-in orders. */
  customerIds: string[];
  stores: Array<{ id: string; geo: { lat: number; lng: number } }>;
  /** Share of pickup orders; the rest are local deliveries from the nearest store. */
  pickupShare: number;
}

/**
 * Order number `index` of the mix: pickup at a store, or delivery to a point ~0.3–0.8 km from a store
 * (so routing picks that store and dispatch knows it), one or two lines of one or two units, card.
 */
export function orderBody(index: number, mix: OrderMix): Record<string, unknown> {
  const rnd = prng(index + 1);
  const store = mix.stores[index % mix.stores.length]!;
  const lineCount = rnd() < 0.7 ? 1 : 2;
  const first = Math.floor(rnd() * mix.skus.length);
  const lines = Array.from({ length: lineCount }, (_, k) => ({
    sku: mix.skus[(first + k) % mix.skus.length]!,
    qty: rnd() < 0.8 ? 1 : 2,
  }));
  const customerId = mix.customerIds.length > 0 ? mix.customerIds[index % mix.customerIds.length] : undefined;
  const pickup = rnd() < mix.pickupShare;
  const fulfilment = pickup
    ? { method: 'pickup', storeId: store.id }
    : {
        method: 'delivery',
        address: {
          lines: [`Benchstraße ${1 + (index % 200)}`],
          city: 'Berlin',
          postalCode: '10115',
          country: 'DE',
          geo: {
            lat: store.geo.lat + (rnd() < 0.5 ? 1 : -1) * (0.003 + rnd() * 0.004),
            lng: store.geo.lng + (rnd() < 0.5 ? 1 : -1) * (0.003 + rnd() * 0.004),
          },
        },
      };
  return {
    ...(customerId ? { customerId } : {}),
    lines,
    fulfilment,
    payment: { method: 'card', cardToken: 'tok_visa' },
  };
}
