import { type App, BadRequestError } from '@omni/kit';
import { Type } from 'typebox';
import type { InventoryApp } from '../app/inventory-app';
import { SKU_PATTERN } from '../domain/validation';
import { Channel, FulfillmentBody, Id } from './schemas';
import { locationView } from './views';

const MAX_SKUS = 100;

/** Available-to-promise: public for storefronts; fulfilment search for order routing and ops. */
export function registerAvailabilityRoutes(app: App, inventory: InventoryApp): void {
  app.get(
    '/v1/availability',
    {
      schema: {
        description:
          'ATP per SKU for a channel (public). online/phone: active locations that ship or offer pickup; store: that store (storeId).',
        querystring: Type.Object(
          {
            skus: Type.String({
              minLength: 1,
              maxLength: 100 * 65,
              description: 'Comma-separated SKUs (max 100)',
            }),
            channel: Type.Optional(Channel),
            storeId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const skus = req.query.skus
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = skus.filter((s) => !SKU_PATTERN.test(s));
      if (skus.length === 0 || skus.length > MAX_SKUS || bad.length > 0) {
        throw new BadRequestError(`skus must be 1-${MAX_SKUS} comma-separated SKUs`, [
          {
            field: 'querystring/skus',
            message: bad.length ? `invalid: ${bad.slice(0, 5).join(', ')}` : 'count out of range',
          },
        ]);
      }
      const channel = req.query.channel ?? 'online';
      const items = await inventory.getAvailability(skus, channel, req.query.storeId);
      return { channel, ...(req.query.storeId ? { storeId: req.query.storeId } : {}), items };
    },
  );

  app.post(
    '/v1/fulfillment-locations',
    {
      config: { permission: 'inventory:read' },
      schema: {
        description:
          'Locations with a capability that hold (part of) a basket, nearest first within radiusKm (order routing).',
        body: FulfillmentBody,
      },
    },
    async (req) => {
      const b = req.body;
      const found = await inventory.findFulfillmentLocations({
        lines: b.lines,
        capability: b.capability,
        ...(b.near ? { near: b.near } : {}),
        ...(b.radiusKm !== undefined ? { radiusKm: b.radiusKm } : {}),
        ...(b.excludeLocationIds ? { excludeLocationIds: b.excludeLocationIds } : {}),
        limit: b.limit ?? 10,
      });
      return {
        items: found.map((c) => ({
          location: locationView(c.location),
          distanceKm: Math.round(c.distanceKm * 1000) / 1000,
          coversAll: c.coversAll,
          available: c.available,
        })),
      };
    },
  );
}
