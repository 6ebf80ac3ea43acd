import type { Session } from '@omni/store';
import { isDuplicateKeyError } from '@omni/store';
import type { EventData } from '@omni/events';
import { DeliveryJobCreated, StoreRejected, type OrderConfirmed } from '@omni/contracts';
import { newDeliveryCode, newParcelCode, VOIDABLE } from '../domain/job';
import type { GeoPoint } from '../domain/geo';
import { iso, ms, type JobDoc, type OrderRouteDoc } from '../store/collections';
import { nowMs, type DispatchContext, type Effects } from './context';
import { voidDeliveryJob } from './void-delivery-job';

export type OrderConfirmedData = EventData<typeof OrderConfirmed>;

/** Delivery job id: one per order and route attempt, so a redelivered event finds its job. */
export const jobIdFor = (orderId: string, routeAttempt: number): string => `${orderId}~${routeAttempt}`;

export type CreateOutcome =
  'created' | 'not-delivery' | 'duplicate' | 'stale' | 'no-destination' | 'store-unknown';

/**
 * An order confirmed for local delivery becomes a job at its store, waiting for the store to
 * confirm it. Safe against redelivery (job id per order + route attempt) and out-of-order events:
 * a confirmation for an attempt already voided (re-routed away, cancelled) or older than one seen
 * is ignored, and a newer attempt voids the older jobs still running.
 */
export async function createDeliveryJob(
  ctx: DispatchContext,
  session: Session,
  fx: Effects,
  data: OrderConfirmedData,
): Promise<CreateOutcome> {
  const f = data.fulfilment;
  if (f.method !== 'delivery') return 'not-delivery';
  const route = await ctx.collections.orderRoutes.findById(data.orderId, { session });
  if (route && isVoided(route, f.locationId, data.routeAttempt)) return 'stale';

  const jobId = jobIdFor(data.orderId, data.routeAttempt);
  if (await ctx.collections.jobs.findById(jobId, { session })) return 'duplicate';

  const destination: GeoPoint | undefined = f.geo ?? f.address?.geo;
  if (!destination) {
    ctx.log.error({ orderId: data.orderId }, 'delivery order without a destination point; no job created');
    return 'no-destination';
  }

  // A newer attempt supersedes older ones even if their re-route event has not arrived (yet).
  const older = await ctx.collections.jobs.find(
    { orderId: data.orderId, routeAttempt: { $lt: data.routeAttempt }, status: { $in: [...VOIDABLE] } },
    { session },
  );
  for (const job of older) await voidDeliveryJob(ctx, session, fx, job, 'rerouted');
  await ctx.collections.orderRoutes.updateOne(
    { _id: data.orderId },
    { $max: { maxAttempt: data.routeAttempt }, $setOnInsert: { cancelled: false, voids: [] } },
    { session, upsert: true },
  );

  const now = nowMs(ctx);
  await ctx.zones.ensureLoaded();
  const zones = ctx.zones.current;
  const storeGeo = zones.storeGeo(f.locationId) ?? null;
  const containing = zones.zonesContaining(destination);
  const zone = containing.find((z) => z.stores.some((s) => s.storeId === f.locationId)) ?? containing[0];
  const promisedAt = f.promisedAt ?? iso(now + ctx.settings.defaultPromiseMs);
  const at = iso(now);
  const job: JobDoc = {
    _id: jobId,
    orderId: data.orderId,
    routeAttempt: data.routeAttempt,
    storeId: f.locationId,
    storeGeo,
    zoneId: zone?.id ?? null,
    destination,
    address: f.address
      ? {
          lines: f.address.lines,
          city: f.address.city,
          postalCode: f.address.postalCode,
          country: f.address.country,
        }
      : null,
    customerId: data.customerId ?? null,
    customerName: data.customerName ?? null,
    status: 'awaiting_store',
    promisedAt: iso(ms(promisedAt)),
    createdAt: at,
    updatedAt: at,
    storeConfirmBy: iso(now + ctx.settings.storeConfirmTimeoutMs),
    storeConfirmedAt: null,
    readyAt: null,
    ready: false,
    searchFrom: null,
    nextSearchAt: null,
    searchAttempts: 0,
    noRiderAlerted: false,
    offer: null,
    offersMade: 0,
    excludedRiderIds: [],
    riderId: null,
    shiftId: null,
    assignedAt: null,
    etaAt: null,
    batched: false,
    parcelCode: newParcelCode(),
    deliveryCode: newDeliveryCode(),
    podAttempts: 0,
    pickedUpAt: null,
    enRouteAt: null,
    deliveredAt: null,
    proof: null,
    cod: data.payment.method === 'cod' ? { amountDue: data.payment.amountDue } : null,
    codCollected: null,
    failure: null,
    returnedAt: null,
    rejection: null,
    voided: null,
    lateNotifiedAt: null,
    minutesLate: null,
  };

  // Dispatch cannot deliver from a store no zone lists (it does not know where the store is):
  // the store "rejects" at once so orders picks another one.
  if (!storeGeo) {
    job.status = 'store_rejected';
    job.rejection = { reason: 'store-not-in-any-delivery-zone', timedOut: false, at };
  }
  try {
    await ctx.collections.jobs.insertOne(job, { session });
  } catch (err) {
    if (isDuplicateKeyError(err)) return 'duplicate';
    throw err;
  }
  const ref = { jobId, orderId: data.orderId, storeId: f.locationId };
  await ctx.events.publish(session, DeliveryJobCreated, {
    subject: data.orderId,
    data: { ...ref, promisedAt: job.promisedAt, destination },
  });
  if (!storeGeo) {
    await ctx.events.publish(session, StoreRejected, {
      subject: data.orderId,
      data: { ...ref, reason: job.rejection!.reason, timedOut: false },
    });
    ctx.metrics.storeRejections.inc({ timedOut: 'false' });
    return 'store-unknown';
  }
  return 'created';
}

function isVoided(route: OrderRouteDoc, locationId: string, attempt: number): boolean {
  if (route.cancelled) return true;
  if (attempt < route.maxAttempt) return true;
  return route.voids.some((v) => v.locationId === locationId && attempt <= v.throughAttempt);
}
