import { BadRequestError, ConflictError, NotFoundError, UnprocessableError, withCursor } from '@omni/kit';
import { OrderPacked, ReservationAtRisk, ReservationReleased } from '@omni/contracts';
import { isDuplicateKeyError, newId, type Page } from '@omni/store';
import { levelId } from '../domain/levels';
import {
  shortfallOf,
  sortByBin,
  type BinDoc,
  type PickItem,
  type PickListDoc,
  type PickOrderDoc,
} from '../domain/picking';
import { planRelease } from '../domain/reservation';
import type { Actor, Line, ReservationDoc } from '../domain/types';
import { auditMeta, type Audited, type InventoryContext, type Tx } from './context';
import { unknownLocation } from './errors';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

/** A wave takes at most this many orders; a pick list names at most this many. */
export const MAX_PICK_ORDERS = 50;

const unknownPickList = (id: string) => new NotFoundError('pick list', id, 'unknown-pick-list');
const notOnList = (pickListId: string, orderId: string) =>
  new NotFoundError('order on pick list', `${pickListId}/${orderId}`, 'unknown-pick-order');

/** Sets the bin of SKUs at a location (a manager's or ops' layout change; audited). */
export async function setBins(
  ctx: InventoryContext,
  locationId: string,
  bins: Array<{ sku: string; bin: string }>,
  who: Audited,
): Promise<BinDoc[]> {
  return ctx.store.withTransaction(async (session) => {
    if (!(await ctx.collections.locations.findById(locationId, { session })))
      throw unknownLocation(locationId);
    const now = ctx.clock().toISOString();
    const out: BinDoc[] = [];
    for (const { sku, bin } of new Map(bins.map((b) => [b.sku, b])).values()) {
      const doc: BinDoc = {
        _id: `${locationId}|${sku}`,
        locationId,
        sku,
        bin,
        updatedAt: now,
        updatedBy: who.actor,
      };
      await ctx.collections.bins.replaceOne({ _id: doc._id }, doc, { session, upsert: true });
      out.push(doc);
    }
    await ctx.audit(
      {
        ...auditMeta(who),
        action: 'bins.set',
        target: { type: 'location', id: locationId },
        details: { bins },
      },
      session,
    );
    return out;
  });
}

export async function listBins(
  ctx: InventoryContext,
  locationId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<BinDoc>> {
  if (!(await ctx.collections.locations.findById(locationId))) throw unknownLocation(locationId);
  return withCursor(() =>
    ctx.collections.bins.page({ locationId }, { limit: page.limit, cursor: page.cursor ?? null }),
  );
}

export type PickListRequest = { orderIds: string[] } | { wave: number };

/**
 * A pick list for some orders (their active reservations at the location), or a wave of the oldest
 * reservations at a warehouse not yet on a list. Items come sorted by bin, so the picker walks the
 * aisles once. A reservation is on one list at most.
 */
export async function createPickList(
  ctx: InventoryContext,
  locationId: string,
  req: PickListRequest,
  actor: Actor,
): Promise<{ pickList: PickListDoc; orders: PickOrderDoc[] }> {
  try {
    return await inTransaction(ctx, async (tx) => {
      const { locations, reservations, pickOrders, pickLists, bins } = ctx.collections;
      const location = await locations.findById(locationId, { session: tx.session });
      if (!location) throw unknownLocation(locationId);
      let chosen: ReservationDoc[];
      if ('orderIds' in req) {
        const ids = [...new Set(req.orderIds)];
        chosen = await reservations.find(
          { locationId, status: 'active', orderId: { $in: ids } },
          { session: tx.session, sort: { createdSeq: 1 } },
        );
        const found = new Set(chosen.map((r) => r.orderId));
        const missing = ids.filter((id) => !found.has(id));
        if (missing.length > 0)
          throw new UnprocessableError('no-active-reservation', 'orders without an active reservation here', {
            orderIds: missing.slice(0, 20),
          });
        const taken = await pickOrders.find(
          { _id: { $in: chosen.map((r) => r._id) } },
          { session: tx.session },
        );
        if (taken.length > 0)
          throw new ConflictError(
            'already-on-pick-list',
            `orders already on a pick list: ${taken.map((t) => t.orderId).join(', ')}`,
          );
      } else {
        if (location.type !== 'warehouse')
          throw new UnprocessableError(
            'wave-needs-warehouse',
            'waves are built at warehouses; a store names the ship orders it picks',
          );
        const active = await reservations.find(
          { locationId, status: 'active', orderId: { $exists: true } },
          { session: tx.session, sort: { createdSeq: 1 } },
        );
        const taken = new Set(
          (await pickOrders.find({ _id: { $in: active.map((r) => r._id) } }, { session: tx.session })).map(
            (t) => t._id,
          ),
        );
        chosen = active.filter((r) => !taken.has(r._id)).slice(0, req.wave);
        if (chosen.length === 0)
          throw new UnprocessableError(
            'nothing-to-pick',
            `no reservation at ${locationId} waits for picking`,
          );
      }
      const skus = [...new Set(chosen.flatMap((r) => r.lines.map((l) => l.sku)))];
      const binOf = new Map(
        (await bins.find({ locationId, sku: { $in: skus } }, { session: tx.session })).map((b) => [
          b.sku,
          b.bin,
        ]),
      );
      const items: PickItem[] = chosen.flatMap((r) =>
        r.lines.map((l) => ({
          orderId: r.orderId!,
          reservationId: r._id,
          sku: l.sku,
          qty: l.qty,
          bin: binOf.get(l.sku) ?? null,
        })),
      );
      const pickList: PickListDoc = {
        _id: `pl_${newId()}`,
        locationId,
        items: sortByBin(items),
        orderIds: chosen.map((r) => r.orderId!),
        createdBy: actor,
        createdAt: tx.nowIso,
      };
      await pickLists.insertOne(pickList, { session: tx.session });
      const orders: PickOrderDoc[] = chosen.map((r) => ({
        _id: r._id,
        pickListId: pickList._id,
        orderId: r.orderId!,
        locationId,
        lines: r.lines,
        status: 'to_pick',
        updatedAt: tx.nowIso,
      }));
      for (const o of orders) await pickOrders.insertOne(o, { session: tx.session });
      return { pickList, orders };
    });
  } catch (err) {
    // Two lists claiming the same reservation at once: the second insert of its id loses.
    if (isDuplicateKeyError(err))
      throw new ConflictError('already-on-pick-list', 'an order was put on another pick list meanwhile');
    throw err;
  }
}

export async function getPickList(
  ctx: InventoryContext,
  pickListId: string,
): Promise<{ pickList: PickListDoc; orders: PickOrderDoc[] }> {
  const pickList = await ctx.collections.pickLists.findById(pickListId);
  if (!pickList) throw unknownPickList(pickListId);
  const orders = await ctx.collections.pickOrders.find({ pickListId }, { sort: { orderId: 1 } });
  return { pickList, orders };
}

export async function listPickLists(
  ctx: InventoryContext,
  locationId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<PickListDoc>> {
  if (!(await ctx.collections.locations.findById(locationId))) throw unknownLocation(locationId);
  return withCursor(() =>
    ctx.collections.pickLists.page(
      { locationId },
      { limit: page.limit, cursor: page.cursor ?? null, direction: -1 },
    ),
  );
}

/**
 * The picker's verdict on one order of a list: everything found, or some units missing. Missing
 * units are not on the shelf: their reservation is released and they are written off (a
 * `pick-short` movement), and the order's reservation is announced at risk with the short lines,
 * so orders re-routes it through its saga (reserve elsewhere first, then release what is left here).
 * Two pickers short on the same SKU each write off only their own missing units, in their own
 * transaction: stock never goes below zero and every unit is in the ledger.
 */
export async function confirmPicked(
  ctx: InventoryContext,
  pickListId: string,
  orderId: string,
  missing: Line[],
  who: Audited,
): Promise<PickOrderDoc> {
  return inTransaction(ctx, async (tx) => {
    const { pickOrders, reservations } = ctx.collections;
    const po = await pickOrders.findOne({ pickListId, orderId }, { session: tx.session });
    if (!po) throw notOnList(pickListId, orderId);
    if (po.status !== 'to_pick')
      throw new ConflictError('already-picked', `order ${orderId} on ${pickListId} is ${po.status}`);
    const res = await reservations.findById(po._id, { session: tx.session });
    if (!res || res.status !== 'active')
      throw new ConflictError(
        'reservation-not-active',
        `the reservation of order ${orderId} is ${res?.status ?? 'gone'}: the order moved or was cancelled`,
      );
    const verdict = shortfallOf(res.lines, missing);
    if (!verdict.ok)
      throw new UnprocessableError('short-exceeds-reserved', 'more units missing than the order reserved', {
        lines: verdict.bad,
      });
    const short = verdict.short;
    const updated = await pickOrders.findOneAndUpdate(
      { _id: po._id, status: 'to_pick' },
      {
        $set: {
          status: short.length > 0 ? 'short' : 'picked',
          ...(short.length > 0 ? { shortLines: short } : {}),
          pickedBy: who.actor,
          pickedAt: tx.nowIso,
          updatedAt: tx.nowIso,
        },
      },
      { session: tx.session },
    );
    if (!updated) throw new ConflictError('already-picked', `order ${orderId} was confirmed meanwhile`);
    if (short.length > 0) await bookShortPick(tx, res, pickListId, short, who);
    return updated;
  });
}

async function bookShortPick(
  tx: Tx,
  res: ReservationDoc,
  pickListId: string,
  short: Line[],
  who: Audited,
): Promise<void> {
  const { reservations, levels } = tx.ctx.collections;
  const operationId = `short-pick|${pickListId}`;
  const plan = planRelease(res, short, operationId);
  if (plan.kind === 'noop') return;
  const done = plan.remaining.length === 0;
  const reason = `short pick on ${pickListId}`;
  const saved = await reservations.findOneAndUpdate(
    { _id: res._id, status: 'active', version: res.version },
    {
      $set: {
        lines: plan.remaining,
        status: done ? 'released' : 'active',
        atRisk: { shortLines: short, at: tx.nowIso, cause: { kind: 'short-pick', opId: pickListId } },
        updatedAt: tx.nowIso,
        ...(done ? { releaseReason: reason } : {}),
      },
      $push: { releaseOps: operationId },
      $inc: { version: 1 },
    },
    { session: tx.session },
  );
  if (!saved)
    throw new ConflictError('reservation-changed', `reservation ${res._id} changed concurrently; retry`);
  for (const line of short) {
    await applyStockChange(tx, {
      sku: line.sku,
      locationId: res.locationId,
      reason: 'reservation-release',
      reservedDelta: -line.qty,
      opId: `rsv|${res._id}|release|${operationId}|${line.sku}`,
      actor: who.actor,
      ref: { type: 'reservation', id: res._id },
      note: reason,
    });
    // The shelf had fewer units than the ledger: write the missing ones off (never below zero, where a
    // late store sale already took the level down).
    const level = await levels.findById(levelId(line.sku, res.locationId), { session: tx.session });
    const writeOff = Math.min(line.qty, Math.max(0, level?.onHand ?? 0));
    if (writeOff > 0) {
      const after = await applyStockChange(tx, {
        sku: line.sku,
        locationId: res.locationId,
        reason: 'pick-short',
        onHandDelta: -writeOff,
        opId: `pick|${pickListId}|${res._id}|${line.sku}`,
        actor: who.actor,
        ref: { type: 'pick-list', id: pickListId },
        note: `order ${res.orderId ?? res._id}: ${line.qty} not on the shelf`,
        guard: 'on-hand',
      });
      if (!after)
        throw new ConflictError('stock-changed', `stock of ${line.sku} changed concurrently; retry`);
    }
  }
  await tx.publish(ReservationReleased, res._id, {
    reservationId: res._id,
    ...(res.orderId ? { orderId: res.orderId } : {}),
    locationId: res.locationId,
    lines: plan.released,
    reason,
    partial: !done,
  });
  await tx.publish(ReservationAtRisk, res._id, {
    reservationId: res._id,
    ...(res.orderId ? { orderId: res.orderId } : {}),
    locationId: res.locationId,
    lines: res.lines,
    shortLines: short,
    cause: { kind: 'short-pick', opId: pickListId },
  });
  tx.ctx.metrics.atRisk.inc();
  await tx.ctx.audit(
    {
      ...auditMeta(who),
      action: 'stock.pick-short',
      target: { type: 'reservation', id: res._id },
      details: { pickListId, orderId: res.orderId, short },
    },
    tx.session,
  );
}

/** A picked order is packed into parcels; orders is told (OrderPacked) and hands it to the carrier. */
export async function packOrder(
  ctx: InventoryContext,
  pickListId: string,
  orderId: string,
  parcels: Array<{ weightGrams: number }>,
  actor: Actor,
): Promise<PickOrderDoc> {
  if (parcels.length === 0)
    throw new BadRequestError('no parcels', [{ field: 'body/parcels', message: 'at least one parcel' }]);
  return inTransaction(ctx, async (tx) => {
    const { pickOrders } = ctx.collections;
    const po = await pickOrders.findOne({ pickListId, orderId }, { session: tx.session });
    if (!po) throw notOnList(pickListId, orderId);
    // A short order still here (its orders policy ships the rest) is packed with what is left.
    const shortStaying =
      po.status === 'short' &&
      (await ctx.collections.reservations.findById(po._id, { session: tx.session }))?.status === 'active';
    if (po.status !== 'picked' && !shortStaying)
      throw new ConflictError(
        'not-picked',
        `order ${orderId} on ${pickListId} is ${po.status}: only picked orders (or short ones that stay) are packed`,
      );
    const boxed = parcels.map((p, i) => ({ parcelId: `${po._id}-${i + 1}`, weightGrams: p.weightGrams }));
    const packed = await pickOrders.findOneAndUpdate(
      { _id: po._id, status: po.status },
      {
        $set: {
          status: 'packed',
          parcels: boxed,
          packedBy: actor,
          packedAt: tx.nowIso,
          updatedAt: tx.nowIso,
        },
      },
      { session: tx.session },
    );
    if (!packed) throw new ConflictError('not-picked', `order ${orderId} changed meanwhile`);
    await tx.publish(OrderPacked, po._id, {
      orderId,
      reservationId: po._id,
      locationId: po.locationId,
      pickListId,
      parcels: boxed,
      actor,
    });
    return packed;
  });
}
