import { DEFAULT_ASSIGNMENT_POLICY, type AssignmentPolicy } from './domain/assignment';
import { DEFAULT_TRAVEL_MODEL, type TravelModel } from './domain/travel';

/** Timings and policies of dispatch. Every value has a default; tests and config override some. */
export interface DispatchSettings {
  /** How long a rider has to accept an offer. */
  offerTimeoutMs: number;
  /** How long a store has to confirm a new delivery job before it counts as a rejection. */
  storeConfirmTimeoutMs: number;
  /** Promised delivery time when the order does not say (now + this). */
  defaultPromiseMs: number;
  /** Riders are searched this long before the parcel's estimated ready time. */
  readyLeadMs: number;
  /** Re-search after "no rider": base × 2^(attempt-1), capped. */
  searchBackoffMs: number;
  searchBackoffMaxMs: number;
  /** After this many fruitless searches ops get `NoRiderAvailable` (once per job). */
  noRiderAlertAfter: number;
  /** Proof of delivery by photo: the rider must be this close to the door. */
  podRadiusM: number;
  /** Wrong delivery codes tolerated before the code is locked (photo proof only). */
  podMaxCodeAttempts: number;
  /** Period of the background timers (offer/store timeouts, searches, SLA). 0 disables them. */
  tickMs: number;
  /** Period of re-reading riders changed by other instances into the spatial board. 0 disables. */
  resyncMs: number;
  /** Grid cell size of the spatial index. */
  gridCellKm: number;
  /**
   * Period of re-announcing every zone (DeliveryZoneChanged with its current version; consumers drop
   * versions they hold): zones made before the event existed, or a consumer's lost projection,
   * converge. 0 disables.
   */
  zoneAnnounceMs: number;
  travel: TravelModel;
  assignment: Omit<AssignmentPolicy, 'model'>;
}

export type DispatchSettingsInput = Partial<Omit<DispatchSettings, 'travel' | 'assignment'>> & {
  travel?: Partial<TravelModel>;
  assignment?: Partial<Omit<AssignmentPolicy, 'model'>>;
};

export const DEFAULT_SETTINGS: DispatchSettings = {
  offerTimeoutMs: 30_000,
  storeConfirmTimeoutMs: 3 * 60_000,
  defaultPromiseMs: 60 * 60_000,
  readyLeadMs: 5 * 60_000,
  searchBackoffMs: 5_000,
  searchBackoffMaxMs: 60_000,
  noRiderAlertAfter: 3,
  podRadiusM: 150,
  podMaxCodeAttempts: 5,
  tickMs: 1_000,
  resyncMs: 5_000,
  gridCellKm: 1,
  zoneAnnounceMs: 10 * 60_000,
  travel: DEFAULT_TRAVEL_MODEL,
  assignment: DEFAULT_ASSIGNMENT_POLICY,
};

export function resolveSettings(input: DispatchSettingsInput = {}): DispatchSettings {
  const { travel, assignment, ...rest } = input;
  return {
    ...DEFAULT_SETTINGS,
    ...rest,
    travel: {
      ...DEFAULT_SETTINGS.travel,
      ...travel,
      speedsKmh: { ...DEFAULT_SETTINGS.travel.speedsKmh, ...travel?.speedsKmh },
    },
    assignment: { ...DEFAULT_SETTINGS.assignment, ...assignment },
  };
}

export function assignmentPolicy(s: DispatchSettings): AssignmentPolicy {
  return { ...s.assignment, model: s.travel };
}
