import { common, inventory as proto } from '@omni/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelOf, seedDemo, startInventory, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startInventory();
  await seedDemo(h, [
    { sku: 'JEANS', locationId: 'WH1', onHand: 20 },
    { sku: 'JEANS', locationId: 'S1', onHand: 3 },
    { sku: 'JEANS', locationId: 'S2', onHand: 5 },
    { sku: 'BELT', locationId: 'S2', onHand: 2 },
    { sku: 'BELT', locationId: 'S1', onHand: 1 },
    { sku: 'JEANS', locationId: 'S3', onHand: 9 },
  ]);
});
afterAll(async () => h?.stop());

const reserveReq = (over: Partial<proto.ReserveRequest> = {}): proto.ReserveRequest => ({
  reservationId: 'g-1',
  locationId: 'S2',
  lines: [
    { sku: 'JEANS', qty: 2 },
    { sku: 'BELT', qty: 1 },
  ],
  ttlSeconds: 120,
  orderId: 'o-1',
  channel: common.Channel.CHANNEL_ONLINE,
  ...over,
});

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; slug: string };
    return { status: e.status, slug: e.slug };
  }
  throw new Error('expected the call to fail');
};

describe('gRPC InventoryService', () => {
  it('Reserve, GetReservation, Release (partial), Commit', async () => {
    const reserved = await h.grpc.reserve(reserveReq());
    expect(reserved).toMatchObject({
      reservationId: 'g-1',
      locationId: 'S2',
      orderId: 'o-1',
      status: proto.ReservationStatus.RESERVATION_STATUS_ACTIVE,
      lines: [
        { sku: 'BELT', qty: 1 },
        { sku: 'JEANS', qty: 2 },
      ],
      expiresAt: '2025-03-01T10:02:00.000Z',
    });
    expect(await h.grpc.reserve(reserveReq())).toEqual(reserved);
    expect(await h.grpc.getReservation({ reservationId: 'g-1' })).toEqual(reserved);

    const partial = await h.grpc.release({
      reservationId: 'g-1',
      lines: [{ sku: 'JEANS', qty: 1 }],
      reason: 'customer changed size',
      operationId: 'p1',
    });
    expect(partial.lines).toEqual([
      { sku: 'BELT', qty: 1 },
      { sku: 'JEANS', qty: 1 },
    ]);
    expect(await levelOf(h, 'JEANS', 'S2')).toMatchObject({ reserved: 1, available: 4 });

    const committed = await h.grpc.commit({ reservationId: 'g-1' });
    expect(committed.status).toBe(proto.ReservationStatus.RESERVATION_STATUS_COMMITTED);
    expect(await levelOf(h, 'JEANS', 'S2')).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect(await levelOf(h, 'BELT', 'S2')).toMatchObject({ onHand: 1, reserved: 0, available: 1 });

    await h.grpc.reserve(reserveReq({ reservationId: 'g-2', lines: [{ sku: 'JEANS', qty: 1 }] }));
    const released = await h.grpc.release({ reservationId: 'g-2', lines: [], reason: '', operationId: '' });
    expect(released.status).toBe(proto.ReservationStatus.RESERVATION_STATUS_RELEASED);
  });

  it('maps refusals and bad input to status codes, and writes nothing', async () => {
    expect(
      await failure(h.grpc.reserve(reserveReq({ reservationId: 'g-x', lines: [{ sku: 'JEANS', qty: 50 }] }))),
    ).toEqual({ status: 422, slug: 'insufficient-stock' });
    expect(
      await failure(h.grpc.reserve(reserveReq({ reservationId: 'g-x', lines: [{ sku: 'JEANS', qty: -2 }] }))),
    ).toEqual({ status: 400, slug: 'validation-failed' });
    expect(await failure(h.grpc.reserve(reserveReq({ reservationId: 'g-x', lines: [] })))).toEqual({
      status: 400,
      slug: 'validation-failed',
    });
    expect(
      await failure(h.grpc.reserve(reserveReq({ reservationId: '', lines: [{ sku: 'JEANS', qty: 1 }] }))),
    ).toEqual({ status: 400, slug: 'validation-failed' });
    expect(await failure(h.grpc.reserve(reserveReq({ reservationId: 'g-x', locationId: 'NOPE' })))).toEqual({
      status: 404,
      slug: 'unknown-location',
    });
    expect(
      await failure(h.grpc.reserve(reserveReq({ reservationId: 'g-x', lines: [{ sku: 'GHOST', qty: 1 }] }))),
    ).toEqual({ status: 404, slug: 'unknown-sku' });
    expect(
      await failure(h.grpc.reserve(reserveReq({ reservationId: 'g-1', lines: [{ sku: 'JEANS', qty: 3 }] }))),
    ).toEqual({ status: 409, slug: 'reservation-id-conflict' });
    expect(await failure(h.grpc.commit({ reservationId: 'missing' }))).toEqual({
      status: 404,
      slug: 'unknown-reservation',
    });
    expect(
      await failure(h.grpc.release({ reservationId: 'g-1', lines: [], reason: '', operationId: '' })),
    ).toEqual({ status: 409, slug: 'reservation-committed' });
    expect(await failure(h.grpc.getReservation({ reservationId: 'g-x' }))).toEqual({
      status: 404,
      slug: 'unknown-reservation',
    });
    expect((await h.svc.inventory.reconcile()).ok).toBe(true);
  });

  it('checks permissions: reserve needs inventory:reserve; reads accept inventory:read or catalog:read', async () => {
    const noToken = h.grpcAs('');
    expect((await failure(noToken.reserve(reserveReq({ reservationId: 'g-auth' })))).status).toBe(401);
    const customer = h.grpcAs(await h.deps.issuer.customer('c-1'));
    expect((await failure(customer.reserve(reserveReq({ reservationId: 'g-auth' })))).status).toBe(403);
    // Storefront callers (catalog:read) may read ATP; a rider may not.
    expect(
      (
        await customer.getAvailability({
          skus: ['BELT'],
          channel: common.Channel.CHANNEL_ONLINE,
          storeId: '',
        })
      ).items,
    ).toHaveLength(1);
    const rider = h.grpcAs(await h.deps.issuer.rider('R1'));
    expect(
      (
        await failure(
          rider.getAvailability({ skus: ['JEANS'], channel: common.Channel.CHANNEL_ONLINE, storeId: '' }),
        )
      ).status,
    ).toBe(403);
    const catalog = h.grpcAs(await h.deps.issuer.service('catalog', 'catalog:read'));
    expect((await failure(catalog.commit({ reservationId: 'g-1' }))).status).toBe(403);
    const atp = await catalog.getAvailability({
      skus: ['JEANS', 'BELT', 'NONE'],
      channel: common.Channel.CHANNEL_ONLINE,
      storeId: '',
    });
    expect(atp.items).toEqual([
      // WH1 ships 20, S1 3, S2 4 and S3 9 offer pickup
      { sku: 'JEANS', available: 36 },
      { sku: 'BELT', available: 2 },
      { sku: 'NONE', available: 0 },
    ]);
    const store = await catalog.getAvailability({
      skus: ['JEANS'],
      channel: common.Channel.CHANNEL_STORE,
      storeId: 'S1',
    });
    expect(store.items).toEqual([{ sku: 'JEANS', available: 3 }]);
    expect(
      (
        await failure(
          catalog.getAvailability({ skus: ['JEANS'], channel: common.Channel.CHANNEL_STORE, storeId: '' }),
        )
      ).status,
    ).toBe(400);
  });

  it("a store-bound client reserves, reads and commits only its stores' reservations", async () => {
    await h.grpc.reserve(
      reserveReq({ reservationId: 'g-s3', locationId: 'S3', lines: [{ sku: 'JEANS', qty: 1 }] }),
    );
    const boundToS1 = h.grpcAs(
      await h.deps.issuer.sign({
        role: 'service',
        sub: 'svc-pos-S1',
        scope: 'inventory:reserve inventory:read',
        stores: { S1: 'clerk' },
      }),
    );
    expect(await failure(boundToS1.getReservation({ reservationId: 'g-s3' }))).toEqual({
      status: 404,
      slug: 'unknown-reservation',
    });
    expect(await failure(boundToS1.commit({ reservationId: 'g-s3' }))).toMatchObject({ status: 404 });
    expect(
      await failure(boundToS1.release({ reservationId: 'g-s3', lines: [], reason: '', operationId: '' })),
    ).toMatchObject({ status: 404 });
    expect(
      await failure(
        boundToS1.reserve(
          reserveReq({ reservationId: 'g-s3b', locationId: 'S3', lines: [{ sku: 'JEANS', qty: 1 }] }),
        ),
      ),
    ).toMatchObject({ status: 403 });
    expect((await h.grpc.getReservation({ reservationId: 'g-s3' })).status).toBe(
      proto.ReservationStatus.RESERVATION_STATUS_ACTIVE,
    );
    expect(await levelOf(h, 'JEANS', 'S3')).toMatchObject({ reserved: 1 });
  });

  it('FindFulfillmentLocations: nearest first within the radius, covering the basket, minus exclusions', async () => {
    const nearMitte = { lat: 52.515, lng: 13.4 };
    const res = await h.grpc.findFulfillmentLocations({
      lines: [
        { sku: 'JEANS', qty: 2 },
        { sku: 'BELT', qty: 1 },
      ],
      capability: proto.Capability.CAPABILITY_LOCAL_DELIVERY,
      near: nearMitte,
      radiusKm: 25,
      excludeLocationIds: [],
      limit: 5,
    });
    expect(res.locations.map((l) => [l.locationId, l.coversAll, l.available])).toEqual([
      [
        'S1',
        true,
        [
          { sku: 'JEANS', qty: 3 },
          { sku: 'BELT', qty: 1 },
        ],
      ],
      [
        'S2',
        true,
        [
          { sku: 'JEANS', qty: 4 },
          { sku: 'BELT', qty: 1 },
        ],
      ],
    ]);
    expect(res.locations[0]!.distanceKm).toBeLessThan(res.locations[1]!.distanceKm);
    expect(res.locations[0]).toMatchObject({
      name: 'Store Mitte',
      type: 'store',
      geo: { lat: 52.52, lng: 13.405 },
    });

    const excluded = await h.grpc.findFulfillmentLocations({
      lines: [{ sku: 'JEANS', qty: 1 }],
      capability: proto.Capability.CAPABILITY_PICKUP,
      near: nearMitte,
      radiusKm: 0,
      excludeLocationIds: ['S1'],
      limit: 0,
    });
    // No radius: Hamburg counts too, farthest last.
    expect(excluded.locations.map((l) => l.locationId)).toEqual(['S2', 'S3']);
    expect(
      (
        await failure(
          h.grpc.findFulfillmentLocations({
            lines: [{ sku: 'JEANS', qty: 1 }],
            capability: 0,
            radiusKm: 0,
            excludeLocationIds: [],
            limit: 1,
          }),
        )
      ).status,
    ).toBe(400);
  });
});
