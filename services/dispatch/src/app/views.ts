import { riderStatus } from '../domain/rider';
import { DEFAULT_SLOT_CAPACITY, DEFAULT_SLOT_MINUTES } from '../domain/zone';
import { riderStateFromDoc, type JobDoc, type RiderDoc, type ZoneDoc } from '../store/collections';
import type { OfferView } from '../http/ws-protocol';

/** How dispatch documents are shown to each audience (riders never see delivery codes). */

export function offerView(job: JobDoc): OfferView | null {
  if (!job.offer || !job.storeGeo) return null;
  return {
    jobId: job._id,
    orderId: job.orderId,
    storeId: job.storeId,
    pickup: job.storeGeo,
    dropoff: job.destination,
    promisedAt: job.promisedAt,
    readyAt: job.readyAt,
    expiresAt: job.offer.expiresAt,
    etaAt: job.offer.etaAt,
    batched: job.offer.batched,
    late: job.offer.late,
  };
}

export function riderView(doc: RiderDoc) {
  const { status, carrying } = riderStatus(riderStateFromDoc(doc));
  return {
    id: doc._id,
    name: doc.name,
    vehicle: doc.vehicle,
    capacity: doc.capacity,
    zoneId: doc.zoneId,
    onDuty: doc.onDuty,
    shiftId: doc.shiftId,
    status,
    carrying,
    jobIds: doc.jobs.map((j) => j.jobId),
    location: doc.location ? { ...doc.location, at: doc.locationAt } : null,
    offer: doc.offer,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
export type RiderView = ReturnType<typeof riderView>;

/** What the rider carrying the job sees: where to, what to collect; never the customer's code. */
export function riderJobView(job: JobDoc) {
  return {
    id: job._id,
    orderId: job.orderId,
    storeId: job.storeId,
    status: job.status,
    pickup: job.storeGeo,
    dropoff: job.destination,
    address: job.address,
    customerName: job.customerName,
    promisedAt: job.promisedAt,
    readyAt: job.readyAt,
    ready: job.ready,
    etaAt: job.etaAt,
    batched: job.batched,
    cashToCollect: job.cod?.amountDue ?? null,
    podAttempts: job.podAttempts,
    pickedUpAt: job.pickedUpAt,
    deliveredAt: job.deliveredAt,
    failure: job.failure,
  };
}

/** What the store sees: includes the parcel label code, not the customer's delivery code. */
export function storeJobView(job: JobDoc) {
  return {
    id: job._id,
    orderId: job.orderId,
    routeAttempt: job.routeAttempt,
    storeId: job.storeId,
    status: job.status,
    parcelCode: job.parcelCode,
    promisedAt: job.promisedAt,
    storeConfirmBy: job.storeConfirmBy,
    storeConfirmedAt: job.storeConfirmedAt,
    readyAt: job.readyAt,
    ready: job.ready,
    riderId: job.riderId,
    etaAt: job.etaAt,
    pickedUpAt: job.pickedUpAt,
    failure: job.failure,
    returnedAt: job.returnedAt,
    createdAt: job.createdAt,
  };
}

/** Ops see everything but the codes. */
export function opsJobView(job: JobDoc) {
  return {
    ...storeJobView(job),
    zoneId: job.zoneId,
    destination: job.destination,
    customerId: job.customerId,
    offer: job.offer,
    offersMade: job.offersMade,
    excludedRiderIds: job.excludedRiderIds,
    searchAttempts: job.searchAttempts,
    nextSearchAt: job.nextSearchAt,
    noRiderAlerted: job.noRiderAlerted,
    shiftId: job.shiftId,
    assignedAt: job.assignedAt,
    batched: job.batched,
    deliveredAt: job.deliveredAt,
    proof: job.proof,
    cod: job.cod,
    codCollected: job.codCollected,
    rejection: job.rejection,
    voided: job.voided,
    minutesLate: job.minutesLate,
    podAttempts: job.podAttempts,
  };
}

export function zoneView(doc: ZoneDoc) {
  return {
    id: doc._id,
    city: doc.city,
    name: doc.name,
    area: doc.area,
    stores: doc.stores,
    maxTripMinutes: doc.maxTripMinutes,
    referenceVehicle: doc.referenceVehicle,
    slotMinutes: doc.slotMinutes ?? DEFAULT_SLOT_MINUTES,
    slotCapacity: doc.slotCapacity ?? DEFAULT_SLOT_CAPACITY,
    active: doc.active,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
