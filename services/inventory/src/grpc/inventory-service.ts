import { authorize, BadRequestError, can, type Permission, type Principal, type Service } from '@omni/kit';
import { common, inventory as proto } from '@omni/proto';
import type { InventoryApp } from '../app/inventory-app';
import type { Capability, Channel, ReservationDoc, ReservationStatus } from '../domain/types';
import { visibleReservation } from '../http/auth';

const STATUS: Record<ReservationStatus, proto.ReservationStatus> = {
  active: proto.ReservationStatus.RESERVATION_STATUS_ACTIVE,
  committed: proto.ReservationStatus.RESERVATION_STATUS_COMMITTED,
  released: proto.ReservationStatus.RESERVATION_STATUS_RELEASED,
  expired: proto.ReservationStatus.RESERVATION_STATUS_EXPIRED,
};

function toProto(r: ReservationDoc): proto.Reservation {
  return {
    reservationId: r._id,
    locationId: r.locationId,
    orderId: r.orderId ?? '',
    lines: r.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
    status: STATUS[r.status],
    expiresAt: r.expiresAt,
    createdAt: r.createdAt,
  };
}

/** Unspecified means online: the checkout default. */
function channelOf(c: common.Channel): Channel {
  switch (c) {
    case common.Channel.CHANNEL_STORE:
      return 'store';
    case common.Channel.CHANNEL_PHONE:
      return 'phone';
    default:
      return 'online';
  }
}

function capabilityOf(c: proto.Capability): Capability {
  switch (c) {
    case proto.Capability.CAPABILITY_SHIPS:
      return 'ships';
    case proto.Capability.CAPABILITY_PICKUP:
      return 'pickup';
    case proto.Capability.CAPABILITY_LOCAL_DELIVERY:
      return 'local-delivery';
    default:
      throw new BadRequestError('capability is required', [
        { field: 'capability', message: 'must be SHIPS, PICKUP or LOCAL_DELIVERY' },
      ]);
  }
}

/** Reads are open to inventory readers, catalog readers (storefront backends) and reservers (orders). */
const READ: Permission[] = ['inventory:read', 'catalog:read', 'inventory:reserve'];

function authorizeRead(p: Principal | null): Principal {
  if (p && READ.some((perm) => can(p, perm))) return p;
  return authorize(p, READ[0]!);
}

const actor = (p: Principal) => ({ sub: p.sub, role: p.role });

/** gRPC InventoryService: thin mapping between proto messages and the use cases. */
export function inventoryGrpc(svc: Service, inventory: InventoryApp): void {
  svc.grpc.add(proto.InventoryServiceService, {
    reserve: async (req, ctx) => {
      const p = authorize(ctx.principal, 'inventory:reserve', { storeId: req.locationId });
      const { reservation } = await inventory.reserve({
        reservationId: req.reservationId,
        locationId: req.locationId,
        lines: req.lines,
        ...(req.ttlSeconds ? { ttlSeconds: req.ttlSeconds } : {}),
        ...(req.orderId ? { orderId: req.orderId } : {}),
        channel: channelOf(req.channel),
        actor: actor(p),
      });
      return toProto(reservation);
    },
    commit: async (req, ctx) => {
      const p = authorize(ctx.principal, 'inventory:reserve');
      await visibleReservation(p, inventory.getReservation, req.reservationId, ['inventory:reserve']);
      return toProto(await inventory.commit(req.reservationId, actor(p)));
    },
    release: async (req, ctx) => {
      const p = authorize(ctx.principal, 'inventory:reserve');
      await visibleReservation(p, inventory.getReservation, req.reservationId, ['inventory:reserve']);
      return toProto(
        await inventory.release({
          reservationId: req.reservationId,
          lines: req.lines,
          ...(req.reason ? { reason: req.reason } : {}),
          ...(req.operationId ? { operationId: req.operationId } : {}),
          actor: actor(p),
        }),
      );
    },
    getReservation: async (req, ctx) => {
      const p = authorizeRead(ctx.principal);
      return toProto(await visibleReservation(p, inventory.getReservation, req.reservationId, READ));
    },
    getAvailability: async (req, ctx) => {
      authorizeRead(ctx.principal);
      if (req.skus.length === 0 || req.skus.length > 100) {
        throw new BadRequestError('give 1-100 skus', [{ field: 'skus', message: 'count out of range' }]);
      }
      const items = await inventory.getAvailability(
        req.skus,
        channelOf(req.channel),
        req.storeId || undefined,
      );
      return { items: items.map((i) => ({ sku: i.sku, available: i.available })) };
    },
    findFulfillmentLocations: async (req, ctx) => {
      authorizeRead(ctx.principal);
      const found = await inventory.findFulfillmentLocations({
        lines: req.lines,
        capability: capabilityOf(req.capability),
        ...(req.near ? { near: { lat: req.near.lat, lng: req.near.lng } } : {}),
        radiusKm: req.radiusKm,
        excludeLocationIds: req.excludeLocationIds,
        limit: req.limit,
      });
      return {
        locations: found.map((c) => ({
          locationId: c.location._id,
          name: c.location.name,
          type: c.location.type,
          distanceKm: c.distanceKm,
          coversAll: c.coversAll,
          available: c.available,
          geo: c.location.geo,
        })),
      };
    },
  });
}
