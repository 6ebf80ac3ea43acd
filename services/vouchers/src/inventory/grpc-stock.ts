import { AppError, createGrpcClient } from '@omni/kit';
import { common, inventory } from '@omni/proto';
import { OutOfStockError, type StockPort } from './port';

/** Inventory over gRPC: Reserve at the store, then Commit (a store-channel sale) or Release. */
export function grpcStock(opts: {
  address: string;
  serviceToken: () => Promise<string>;
  deadlineMs?: number;
}): StockPort & { close(): void } {
  const client = createGrpcClient(inventory.InventoryServiceService, opts.address, {
    token: opts.serviceToken,
    deadlineMs: opts.deadlineMs ?? 5_000,
  });
  const status = (err: unknown) => (err instanceof AppError ? err.status : undefined);
  return {
    async hold(reservationId, storeId, lines, redemptionRef) {
      try {
        await client.reserve({
          reservationId,
          locationId: storeId,
          lines: lines.map((l) => ({ sku: l.sku, qty: l.qty })),
          // Held only while the redemption is written; committed right after.
          ttlSeconds: 300,
          orderId: redemptionRef,
          channel: common.Channel.CHANNEL_STORE,
        });
      } catch (err) {
        if (status(err) === 422) throw new OutOfStockError((err as Error).message);
        throw err;
      }
    },
    async commit(reservationId) {
      await client.commit({ reservationId });
    },
    async release(reservationId, reason) {
      try {
        await client.release({ reservationId, lines: [], reason, operationId: `${reservationId}:release` });
      } catch (err) {
        if (status(err) !== 404) throw err;
      }
    },
    close: () => client.close(),
  };
}
