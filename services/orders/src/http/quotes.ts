import { Type } from 'typebox';
import { ForbiddenError, requirePrincipal, type App } from '@omni/kit';
import type { OrdersContext } from '../app/context';
import { mergeLines, priceLines, checkLineLimits } from '../app/place-order';
import { quote } from '../app/quote';
import type { Channel } from '../domain/types';
import { QuoteBody } from './schemas';

const Window = Type.Object({
  kind: Type.Union([
    Type.Literal('asap'),
    Type.Literal('slot'),
    Type.Literal('pickup'),
    Type.Literal('ship'),
  ]),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
});
const MoneyOut = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });

/** The documented answer (also what fast-json-stringify serialises: nothing else leaks). */
const QuoteReply = Type.Object({
  quotedAt: Type.String({ format: 'date-time' }),
  currency: Type.String(),
  subtotal: MoneyOut,
  pickup: Type.Array(
    Type.Object({
      storeId: Type.String(),
      storeName: Type.Optional(Type.String()),
      distanceKm: Type.Optional(Type.Number()),
      readyBy: Type.String({ format: 'date-time' }),
      promise: Window,
    }),
  ),
  delivery: Type.Array(
    Type.Object({
      storeId: Type.String(),
      storeName: Type.Optional(Type.String()),
      zoneId: Type.String(),
      tripMinutes: Type.Integer(),
      fee: MoneyOut,
      asap: Type.Optional(Window),
      slots: Type.Array(Type.Object({ ...Window.properties, remaining: Type.Integer() })),
    }),
  ),
  ship: Type.Array(
    Type.Object({
      locationId: Type.String(),
      locationName: Type.Optional(Type.String()),
      promise: Window,
    }),
  ),
  unavailable: Type.Array(Type.Object({ method: Type.String(), code: Type.String(), reason: Type.String() })),
});

/** Quotes: what checkout may promise before payment (the same code placement runs). */
export function registerQuoteRoutes(app: App, ctx: OrdersContext): void {
  app.post(
    '/v1/quotes',
    {
      config: { permission: 'orders:place' },
      schema: {
        tags: ['orders'],
        summary: 'Quote the fulfilment options a basket can really get at an address',
        description:
          'No side effects. Pickup stores with every line in stock and their ready-by time; local delivery from the store ' +
          "dispatch's zones serve the point from (within the 30-minute single trip), with an ASAP window and the next free " +
          'slots (bounded by rider capacity per store and slot) and the fee; ship with its source and date. `unavailable` says ' +
          'why a method is not offered (e.g. `not-serviceable`, `slot-full`). Placing an order the quote would not offer is a 422 ' +
          'with the same alternatives.',
        body: QuoteBody,
        response: { 200: QuoteReply },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const channel: Channel = req.body.channel ?? 'online';
      if (p.role === 'customer' && channel !== 'online')
        throw new ForbiddenError('customers order on the online channel');
      const lines = mergeLines(req.body.lines);
      checkLineLimits(ctx, lines);
      const geo = req.body.address?.geo ?? req.body.geo;
      // Prices and options are looked up side by side; an unsellable basket still answers 422.
      const pricing = priceLines(ctx, lines, channel).then((r) => r.priced);
      const currency = pricing.then((items) => items[0]!.unitPrice.currency);
      // A quote that never needs the currency must not leave its failure unhandled.
      currency.catch(() => undefined);
      const [priced, q] = await Promise.all([
        pricing,
        quote(ctx, { lines, channel, ...(geo ? { geo } : {}) }, currency),
      ]);
      const subtotal = priced.reduce((sum, l) => sum + l.unitPrice.amountMinor * l.qty, 0);
      const code = priced[0]!.unitPrice.currency;
      return { ...q, currency: code, subtotal: { amountMinor: subtotal, currency: code } };
    },
  );
}
