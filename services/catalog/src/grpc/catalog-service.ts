import { authorize, BadRequestError, type Service } from '@omni/kit';
import { catalog as catalogProto, common } from '@omni/proto';
import type { CatalogApp } from '../app/catalog-app';
import { MAX_SKUS_PER_LOOKUP } from '../app/queries/get-skus';
import type { Channel } from '../domain/product';

const CHANNEL_OF: Partial<Record<common.Channel, Channel>> = {
  [common.Channel.CHANNEL_ONLINE]: 'online',
  [common.Channel.CHANNEL_STORE]: 'store',
  [common.Channel.CHANNEL_PHONE]: 'phone',
};

/** gRPC CatalogService: thin mapping proto ↔ use case; needs `catalog:read` (orders' token has it). */
export function catalogGrpc(svc: Service, catalog: CatalogApp): void {
  svc.grpc.add(catalogProto.CatalogServiceService, {
    getSkus: async (request, ctx) => {
      authorize(ctx.principal, 'catalog:read');
      const channel = CHANNEL_OF[request.channel];
      if (!channel) throw new BadRequestError('channel is required', [{ field: 'channel', message: 'must be ONLINE, STORE or PHONE' }]);
      if (request.skus.length > MAX_SKUS_PER_LOOKUP) {
        throw new BadRequestError(`at most ${MAX_SKUS_PER_LOOKUP} SKUs per call`, [{ field: 'skus', message: 'too many' }]);
      }
      const answers = await catalog.getSkus(request.skus, channel, request.storeId || undefined);
      return {
        items: answers.map((a) => ({
          sku: a.sku,
          productId: a.productId,
          name: a.name,
          sellable: a.sellable,
          price: a.price ? { amountMinor: a.price.amountMinor, currency: a.price.currency } : undefined,
          reason: a.reason ?? '',
          purchaseLimit: a.purchaseLimit ? { qty: a.purchaseLimit.qty, period: a.purchaseLimit.period } : undefined,
          kind: a.kind,
        })),
      };
    },
  });
}
