import type { SeedProduct } from '@omni/catalog';

/**
 * The demo city's voucher offers (issue 17): each is a catalog product of kind `voucher` (what the
 * storefront sells) and an offer in the vouchers service (what the counter honours).
 */
export interface DemoVoucher {
  product: SeedProduct;
  offer: Record<string, unknown>;
}

const voucherProduct = (id: string, sku: string, name: string, priceMinor: number): SeedProduct => ({
  id,
  kind: 'voucher',
  name,
  description: 'Bought online, redeemed at the counter with its code or QR.',
  categoryIds: [],
  images: [],
  attributes: { type: 'voucher' },
  skus: [
    {
      sku,
      attributes: {},
      images: [],
      prices: { online: { amountMinor: priceMinor, currency: 'EUR' } },
      storePrices: [],
      listing: { channels: ['online'] },
    },
  ],
});

export function demoVouchers(goodsSku: string): DemoVoucher[] {
  const window = { validFrom: '2026-01-01T00:00:00Z', validUntil: '2030-01-01T00:00:00Z' };
  return [
    {
      product: voucherProduct(
        'v-coffee-cake',
        'VCH-COFFEE-CAKE',
        '2 coffees + cake at any Berlin store',
        990,
      ),
      offer: {
        id: 'OFFER-COFFEE-CAKE',
        sku: 'VCH-COFFEE-CAKE',
        name: '2 coffees + cake at any Berlin store',
        kind: 'service',
        ...window,
        validDaysAfterPurchase: 90,
        limits: { perStorePerDay: 100 },
        refundOnRequest: true,
      },
    },
    {
      product: voucherProduct('v-kreuzberg-50', 'VCH-S04-50', '€50 for €40 at Omni Kreuzberg', 4000),
      offer: {
        id: 'OFFER-S04-50',
        sku: 'VCH-S04-50',
        name: '€50 for €40 at Omni Kreuzberg',
        kind: 'value',
        faceValue: { amountMinor: 5000, currency: 'EUR' },
        stores: ['S04'],
        ...window,
        validDaysAfterPurchase: 365,
        excludedDates: ['2026-12-24', '2026-12-25', '2026-12-26'],
        limits: { perVoucherPerDay: 3 },
        refundOnRequest: true,
        refundOnExpiry: true,
      },
    },
    {
      product: voucherProduct('v-weekday-box', 'VCH-WEEKDAY-BOX', 'Weekday goodie box, any store', 1500),
      offer: {
        id: 'OFFER-WEEKDAY-BOX',
        sku: 'VCH-WEEKDAY-BOX',
        name: 'Weekday goodie box, any store',
        kind: 'goods',
        goods: [{ sku: goodsSku, qty: 1 }],
        ...window,
        excludedWeekdays: [0, 6],
        limits: { perStorePerDay: 20 },
        refundOnRequest: false,
      },
    },
  ];
}
