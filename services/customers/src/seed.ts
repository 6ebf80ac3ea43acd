import { createCustomer, type CreateCustomerResult } from './app/create-customer';
import { accruePointsForOrder } from './app/accrue-points';
import type { AddressInput, RawIdentity } from './app/normalise-input';
import { customerIdByIdentity } from './app/queries/get-customer';
import { SYSTEM_ACTOR } from './app/context';
import type { ConsentKey, Origin } from './domain/customer';
import type { CustomersService } from './service';

export interface SeedCustomer {
  name?: string;
  identities: RawIdentity[];
  addresses?: AddressInput[];
  consents?: Partial<Record<ConsentKey, boolean>>;
  origin?: Origin;
  /** Completed orders to accrue points from (as if OrderCompleted had been consumed). */
  completedOrders?: Array<{ orderId: string; amountMinor: number; currency: string; channel?: 'online' | 'store' | 'phone'; completedAt?: string }>;
}

/**
 * Creates demo customers through the same use cases as the API (so merges, events and the ledger
 * are real). Idempotent enough for `npm start` on an existing data dir: a customer whose first
 * identity already exists is skipped.
 */
export async function seedCustomers(service: CustomersService, customers: SeedCustomer[]): Promise<CreateCustomerResult[]> {
  const ctx = service.customers;
  const out: CreateCustomerResult[] = [];
  for (const c of customers) {
    const first = c.identities[0];
    if (first) {
      const existing = await customerIdByIdentity(ctx, first.kind, first.value);
      if (existing) continue;
    }
    const created = await createCustomer(
      ctx,
      {
        identities: c.identities,
        origin: c.origin ?? { channel: 'online' },
        ...(c.name ? { name: c.name } : {}),
        ...(c.addresses ? { addresses: c.addresses } : {}),
        ...(c.consents ? { consents: c.consents } : {}),
      },
      SYSTEM_ACTOR,
    );
    for (const o of c.completedOrders ?? []) {
      await ctx.store.withTransaction((session) =>
        accruePointsForOrder(ctx, session, {
          orderId: o.orderId,
          customerId: created.customerId,
          channel: o.channel ?? 'online',
          total: { amountMinor: o.amountMinor, currency: o.currency },
          completedAt: o.completedAt ?? ctx.clock().toISOString(),
        }),
      );
    }
    out.push(created);
  }
  return out;
}

/**
 * Demo data: online shoppers, a walk-in member, and a pair that merges — Mia's store card was made
 * at the counter with her verified phone; her online account adds the same verified phone later
 * (POST /v1/customers/{id}/identities), which merges the two records.
 */
export const DEMO_CUSTOMERS: SeedCustomer[] = [
  {
    name: 'Ava Martin',
    identities: [
      { kind: 'email', value: 'ava.martin@example.com', verified: true },
      { kind: 'phone', value: '+44 7700 900001', verified: true },
    ],
    addresses: [{ label: 'home', lines: ['12 Camden High St'], city: 'London', postalCode: 'NW1 0JH', country: 'GB', geo: { lat: 51.5362, lng: -0.1405 } }],
    consents: { marketingEmail: true },
    completedOrders: [{ orderId: 'demo-order-ava-1', amountMinor: 125_00, currency: 'GBP' }],
  },
  {
    name: 'Noah Lee',
    identities: [
      { kind: 'email', value: 'noah.lee@example.com', verified: true },
      { kind: 'messaging', value: 'line:U4af4980629' },
    ],
    addresses: [{ lines: ['1 Old St'], city: 'London', postalCode: 'EC1V 9HL', country: 'GB', geo: { lat: 51.5256, lng: -0.0875 } }],
  },
  {
    name: 'Mia Chen (store)',
    identities: [
      { kind: 'member_card', value: 'MC-0001-0042', verified: true },
      { kind: 'phone', value: '+44 7700 900042', verified: true },
    ],
    origin: { channel: 'store', storeId: 'store-london-1' },
    completedOrders: [{ orderId: 'demo-order-mia-store-1', amountMinor: 40_00, currency: 'GBP', channel: 'store' }],
  },
  {
    name: 'Mia Chen',
    identities: [{ kind: 'email', value: 'mia.chen@example.com', verified: true }],
    consents: { marketingEmail: true, marketingSms: true },
    completedOrders: [{ orderId: 'demo-order-mia-online-1', amountMinor: 60_00, currency: 'GBP' }],
  },
];
