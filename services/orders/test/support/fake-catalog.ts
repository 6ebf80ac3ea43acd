import { catalog as pb } from '@omni/proto';
import type { TestTokenIssuer } from '@omni/testing';
import { requireService, serveDouble } from './grpc-double';

interface FakeSku {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  sellable: boolean;
  reason?: string;
  purchaseLimit?: { qty: number; period: string };
  /** Default goods. */
  kind?: 'goods' | 'voucher';
}

/** Catalog double: SKUs with a price, some not sellable (with why). */
export class FakeCatalog {
  readonly skus = new Map<string, FakeSku>();
  address = '';
  calls = 0;
  private server?: { close(): Promise<void> };

  static async start(issuer: TestTokenIssuer): Promise<FakeCatalog> {
    const cat = new FakeCatalog();
    const s = await serveDouble('fake-catalog', issuer, pb.CatalogServiceService, {
      getSkus: async (req, ctx) => {
        requireService(ctx);
        cat.calls++;
        return {
          items: req.skus.map((sku) => {
            const s = cat.skus.get(sku);
            if (!s)
              return { sku, productId: '', name: '', sellable: false, reason: 'unknown', kind: 'goods' };
            return {
              sku,
              productId: `p-${sku}`,
              name: s.name,
              sellable: s.sellable,
              price: { amountMinor: s.priceMinor, currency: s.currency },
              reason: s.sellable ? '' : (s.reason ?? 'unpublished'),
              purchaseLimit: s.purchaseLimit,
              kind: s.kind ?? 'goods',
            };
          }),
        };
      },
    });
    cat.address = s.address;
    cat.server = s;
    return cat;
  }

  add(
    sku: string,
    priceMinor: number,
    opts: {
      name?: string;
      currency?: string;
      sellable?: boolean;
      reason?: string;
      purchaseLimit?: { qty: number; period: string };
      kind?: 'goods' | 'voucher';
    } = {},
  ): this {
    this.skus.set(sku, {
      sku,
      name: opts.name ?? sku,
      priceMinor,
      currency: opts.currency ?? 'EUR',
      sellable: opts.sellable ?? true,
      reason: opts.reason,
      purchaseLimit: opts.purchaseLimit,
      kind: opts.kind,
    });
    return this;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }
}
