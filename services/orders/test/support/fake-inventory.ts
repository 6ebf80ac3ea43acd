import { NotFoundError, UnavailableError, UnprocessableError } from '@omni/kit';
import { inventory as pb } from '@omni/proto';
import type { TestTokenIssuer } from '@omni/testing';
import { distanceKm } from '../../src/domain/geo';
import type { GeoPoint, Line } from '../../src/domain/types';
import { requireService, serveDouble } from './grpc-double';

type Capability = 'ship' | 'pickup' | 'delivery';

interface FakeLocation {
  id: string;
  name: string;
  type: 'store' | 'warehouse';
  geo: GeoPoint;
  capabilities: Set<Capability>;
}

interface FakeReservation {
  id: string;
  locationId: string;
  orderId: string;
  lines: Line[];
  status: 'active' | 'committed' | 'released';
  createdAt: string;
}

const CAPS: Record<number, Capability> = {
  [pb.Capability.CAPABILITY_SHIPS]: 'ship',
  [pb.Capability.CAPABILITY_PICKUP]: 'pickup',
  [pb.Capability.CAPABILITY_LOCAL_DELIVERY]: 'delivery',
};
const STATUS = {
  active: pb.ReservationStatus.RESERVATION_STATUS_ACTIVE,
  committed: pb.ReservationStatus.RESERVATION_STATUS_COMMITTED,
  released: pb.ReservationStatus.RESERVATION_STATUS_RELEASED,
};

/**
 * Inventory double: locations, on-hand/reserved per (location, SKU), all-or-nothing reservations
 * idempotent by id, commit/release, fulfilment search by capability, distance and coverage. Handlers
 * are synchronous, so each reservation is atomic like inventory's conditional update. Hooks let tests
 * make it slow or fail.
 */
export class FakeInventory {
  readonly locations = new Map<string, FakeLocation>();
  readonly reservations = new Map<string, FakeReservation>();
  private readonly stock = new Map<string, { onHand: number; reserved: number }>();
  readonly calls = { reserve: 0, release: 0, commit: 0, find: 0 };
  /** Effective operations in order ("reserve:<id>", "release:<id>", "commit:<id>"). */
  readonly journal: string[] = [];
  /** The next N Reserve calls answer UNAVAILABLE. */
  failNextReserves = 0;
  /** The next N Release calls answer UNAVAILABLE. */
  failNextReleases = 0;
  /** Runs before each Reserve (e.g. another channel selling the shelf empty first). */
  onReserve?: (req: pb.ReserveRequest) => void;
  address = '';
  private server?: { close(): Promise<void> };

  static async start(issuer: TestTokenIssuer): Promise<FakeInventory> {
    const inv = new FakeInventory();
    const s = await serveDouble('fake-inventory', issuer, pb.InventoryServiceService, {
      reserve: async (req, ctx) => (requireService(ctx), inv.reserve(req)),
      commit: async (req, ctx) => (requireService(ctx), inv.commit(req.reservationId)),
      release: async (req, ctx) => (requireService(ctx), inv.release(req.reservationId)),
      getReservation: async (req, ctx) => (requireService(ctx), inv.view(inv.get(req.reservationId))),
      getAvailability: async (req, ctx) => {
        requireService(ctx);
        return {
          items: req.skus.map((sku) => ({
            sku,
            available: [...inv.locations.keys()].reduce((n, l) => n + inv.available(l, sku), 0),
          })),
        };
      },
      findFulfillmentLocations: async (req, ctx) => (requireService(ctx), inv.find(req)),
    });
    inv.address = s.address;
    inv.server = s;
    return inv;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }

  addLocation(
    id: string,
    type: 'store' | 'warehouse',
    geo: GeoPoint,
    capabilities: Capability[],
    name = id,
  ): this {
    this.locations.set(id, { id, name, type, geo, capabilities: new Set(capabilities) });
    return this;
  }

  setStock(locationId: string, sku: string, onHand: number): this {
    const s = this.level(locationId, sku);
    s.onHand = onHand;
    return this;
  }

  available(locationId: string, sku: string): number {
    const s = this.stock.get(`${locationId}|${sku}`);
    return s ? s.onHand - s.reserved : 0;
  }

  onHand(locationId: string, sku: string): number {
    return this.stock.get(`${locationId}|${sku}`)?.onHand ?? 0;
  }

  /** Σ reserved over every stock level. */
  reservedTotal(): number {
    return [...this.stock.values()].reduce((n, s) => n + s.reserved, 0);
  }

  /** Σ units of active reservations (must equal reservedTotal: nothing leaked). */
  activeUnits(filter: (r: FakeReservation) => boolean = () => true): number {
    return [...this.reservations.values()]
      .filter((r) => r.status === 'active' && filter(r))
      .reduce((n, r) => n + r.lines.reduce((m, l) => m + l.qty, 0), 0);
  }

  activeReservations(): FakeReservation[] {
    return [...this.reservations.values()].filter((r) => r.status === 'active');
  }

  private level(locationId: string, sku: string): { onHand: number; reserved: number } {
    const key = `${locationId}|${sku}`;
    let s = this.stock.get(key);
    if (!s) {
      s = { onHand: 0, reserved: 0 };
      this.stock.set(key, s);
    }
    return s;
  }

  private get(id: string): FakeReservation {
    const r = this.reservations.get(id);
    if (!r) throw new NotFoundError('reservation', id);
    return r;
  }

  private view(r: FakeReservation): pb.Reservation {
    return {
      reservationId: r.id,
      locationId: r.locationId,
      orderId: r.orderId,
      lines: r.lines,
      status: STATUS[r.status],
      expiresAt: '',
      createdAt: r.createdAt,
    };
  }

  reserve(req: pb.ReserveRequest): pb.Reservation {
    this.calls.reserve++;
    this.onReserve?.(req);
    if (this.failNextReserves > 0) {
      this.failNextReserves--;
      throw new UnavailableError('inventory is restarting');
    }
    const existing = this.reservations.get(req.reservationId);
    if (existing) return this.view(existing);
    if (!this.locations.has(req.locationId)) throw new NotFoundError('location', req.locationId);
    const short = req.lines.filter((l) => this.available(req.locationId, l.sku) < l.qty);
    if (short.length > 0)
      throw new UnprocessableError(
        'insufficient-stock',
        `insufficient stock at ${req.locationId}: ${short.map((l) => l.sku).join(', ')}`,
      );
    for (const l of req.lines) this.level(req.locationId, l.sku).reserved += l.qty;
    const r: FakeReservation = {
      id: req.reservationId,
      locationId: req.locationId,
      orderId: req.orderId,
      lines: req.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      status: 'active',
      createdAt: new Date().toISOString(),
    };
    this.reservations.set(r.id, r);
    this.journal.push(`reserve:${r.id}`);
    return this.view(r);
  }

  commit(id: string): pb.Reservation {
    this.calls.commit++;
    const r = this.get(id);
    if (r.status === 'released')
      throw new UnprocessableError('reservation-released', `reservation ${id} was released`);
    if (r.status === 'active') {
      for (const l of r.lines) {
        const s = this.level(r.locationId, l.sku);
        s.reserved -= l.qty;
        s.onHand -= l.qty;
      }
      r.status = 'committed';
      this.journal.push(`commit:${id}`);
    }
    return this.view(r);
  }

  release(id: string): pb.Reservation {
    this.calls.release++;
    if (this.failNextReleases > 0) {
      this.failNextReleases--;
      throw new UnavailableError('inventory is restarting');
    }
    const r = this.get(id);
    if (r.status === 'committed')
      throw new UnprocessableError('reservation-committed', `reservation ${id} was committed`);
    if (r.status === 'active') {
      for (const l of r.lines) this.level(r.locationId, l.sku).reserved -= l.qty;
      r.status = 'released';
      this.journal.push(`release:${id}`);
    }
    return this.view(r);
  }

  find(req: pb.FindFulfillmentLocationsRequest): pb.FindFulfillmentLocationsResponse {
    this.calls.find++;
    const want = CAPS[req.capability];
    const exclude = new Set(req.excludeLocationIds);
    const rows = [...this.locations.values()]
      .filter((l) => want && l.capabilities.has(want) && !exclude.has(l.id))
      .map((l) => {
        const available = req.lines.map((line) => ({
          sku: line.sku,
          qty: Math.max(0, Math.min(line.qty, this.available(l.id, line.sku))),
        }));
        const coversAll = req.lines.every((line) => this.available(l.id, line.sku) >= line.qty);
        const distance = req.near ? distanceKm(req.near, l.geo) : 0;
        return { l, available, coversAll, distance, units: available.reduce((n, a) => n + a.qty, 0) };
      })
      .filter((r) => r.units > 0)
      .filter((r) => !req.near || req.radiusKm <= 0 || r.distance <= req.radiusKm)
      .sort((a, b) =>
        req.near
          ? a.distance - b.distance
          : a.l.type === b.l.type
            ? b.units - a.units
            : a.l.type === 'warehouse'
              ? -1
              : 1,
      );
    return {
      locations: rows.slice(0, req.limit || 20).map((r) => ({
        locationId: r.l.id,
        name: r.l.name,
        type: r.l.type,
        distanceKm: r.distance,
        coversAll: r.coversAll,
        available: r.available,
        geo: r.l.geo,
      })),
    };
  }
}
