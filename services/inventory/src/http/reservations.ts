import { actorOf, type App, authorize, requirePrincipal } from '@omni/kit';
import { newId } from '@omni/store';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { authorizeAny, visibleReservation } from './auth';
import { Id, ReleaseBody, ReservationView, ReserveBody } from './schemas';
import { reservationView } from './views';

const Params = Type.Object({ reservationId: Id });
const reserve = { permission: 'inventory:reserve' as const };

/** Reservations over HTTP: the same semantics as gRPC Reserve/Commit/Release (checkout, flash sales). */
export function registerReservationRoutes(app: App, inventory: InventoryApp): void {
  app.post(
    '/v1/reservations',
    {
      config: reserve,
      schema: {
        description:
          'Reserves every line at one location, all or nothing (422 insufficient-stock otherwise, nothing held). ' +
          'Idempotent by reservationId: a retry answers 200 with the existing reservation; other lines → 409.',
        body: ReserveBody,
        response: { 200: ReservationView, 201: ReservationView },
      },
    },
    async (req, reply) => {
      const b = req.body;
      // A store-bound client reserves only at its own stores.
      authorize(req.principal, 'inventory:reserve', { storeId: b.locationId });
      const { reservation, created } = await inventory.reserve({
        reservationId: b.reservationId ?? newId(),
        locationId: b.locationId,
        lines: b.lines,
        ...(b.ttlSeconds !== undefined ? { ttlSeconds: b.ttlSeconds } : {}),
        ...(b.orderId !== undefined ? { orderId: b.orderId } : {}),
        ...(b.channel !== undefined ? { channel: b.channel } : {}),
        actor: actorOf(req),
      });
      if (created) reply.code(201).header('location', `/v1/reservations/${reservation._id}`);
      return reservationView(reservation);
    },
  );

  app.get(
    '/v1/reservations/:reservationId',
    {
      schema: {
        description:
          "Requires permission `inventory:reserve` or `inventory:read`; callers bound to stores see only their stores' reservations (404 otherwise).",
        security: [{ bearerAuth: [] }],
        params: Params,
        response: { 200: ReservationView },
      },
    },
    async (req) => {
      const p = authorizeAny(req, ['inventory:reserve', 'inventory:read']);
      return reservationView(await visibleReservation(p, inventory.getReservation, req.params.reservationId));
    },
  );

  app.post(
    '/v1/reservations/:reservationId/commit',
    {
      config: reserve,
      schema: {
        description: 'Turns the reservation into a sale. Idempotent.',
        params: Params,
        response: { 200: ReservationView },
      },
    },
    async (req) => {
      const id = req.params.reservationId;
      await visibleReservation(requirePrincipal(req), inventory.getReservation, id, ['inventory:reserve']);
      return reservationView(await inventory.commit(id, actorOf(req)));
    },
  );

  app.post(
    '/v1/reservations/:reservationId/release',
    {
      config: reserve,
      schema: {
        description:
          'Releases everything still reserved, or the given lines (partial: operationId required). Idempotent.',
        params: Params,
        body: ReleaseBody,
        response: { 200: ReservationView },
      },
      // No body at all means "release everything".
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => {
      const b = req.body;
      await visibleReservation(requirePrincipal(req), inventory.getReservation, req.params.reservationId, [
        'inventory:reserve',
      ]);
      return reservationView(
        await inventory.release({
          reservationId: req.params.reservationId,
          ...(b.lines ? { lines: b.lines } : {}),
          ...(b.reason ? { reason: b.reason } : {}),
          ...(b.operationId ? { operationId: b.operationId } : {}),
          actor: actorOf(req),
        }),
      );
    },
  );
}
