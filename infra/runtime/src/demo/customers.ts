import type { SeedCustomer } from '@omni/customers';
import { CITY } from './city';

/**
 * Demo shoppers in the demo city: online-only, in-store-only, and one person known both ways
 * (Lena's member card and her online account share a verified phone: the customers service merges
 * them when she verifies it online).
 */
export const DEMO_SHOPPERS: SeedCustomer[] = [
  {
    name: 'Anna Schmidt',
    identities: [
      { kind: 'email', value: 'anna.schmidt@example.com', verified: true },
      { kind: 'phone', value: '+49 30 5550101', verified: true },
    ],
    addresses: [
      {
        label: 'home',
        lines: ['Torstraße 140'],
        city: CITY.name,
        postalCode: '10119',
        country: 'DE',
        geo: { lat: 52.529, lng: 13.401 },
      },
    ],
    consents: { marketingEmail: true },
    completedOrders: [{ orderId: 'demo-history-anna-1', amountMinor: 84_90, currency: 'EUR' }],
  },
  {
    name: 'Jonas Weber',
    identities: [{ kind: 'email', value: 'jonas.weber@example.com', verified: true }],
    addresses: [
      {
        label: 'home',
        lines: ['Oranienstraße 25'],
        city: CITY.name,
        postalCode: '10999',
        country: 'DE',
        geo: { lat: 52.501, lng: 13.419 },
      },
    ],
  },
  {
    name: 'Lena Fischer (store)',
    identities: [
      { kind: 'member_card', value: 'MC-0001-0007', verified: true },
      { kind: 'phone', value: '+49 30 5550177', verified: true },
    ],
    origin: { channel: 'store', storeId: 'S01' },
    completedOrders: [
      { orderId: 'demo-history-lena-store-1', amountMinor: 39_50, currency: 'EUR', channel: 'store' },
    ],
  },
  {
    name: 'Lena Fischer',
    identities: [{ kind: 'email', value: 'lena.fischer@example.com', verified: true }],
    addresses: [
      {
        label: 'home',
        lines: ['Kastanienallee 12'],
        city: CITY.name,
        postalCode: '10435',
        country: 'DE',
        geo: { lat: 52.538, lng: 13.41 },
      },
    ],
  },
  {
    name: 'Mehmet Yilmaz',
    identities: [
      { kind: 'phone', value: '+49 30 5550199', verified: true },
      { kind: 'messaging', value: 'whatsapp:4930555019' },
    ],
    addresses: [
      {
        label: 'home',
        lines: ['Sonnenallee 80'],
        city: CITY.name,
        postalCode: '12045',
        country: 'DE',
        geo: { lat: 52.485, lng: 13.437 },
      },
    ],
  },
];
