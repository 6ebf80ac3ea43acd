import { haversineKm, type GeoPoint } from './geo';

/**
 * A uniform grid bucket index over lat/lng for "who is near this point?" with frequent moves.
 * Moving a point is O(1) (remove from one cell set, add to another); a search visits cells in
 * rings of growing Chebyshev distance around the query cell, and a caller can stop as soon as the
 * lower bound of the next ring's distance cannot beat what it already found.
 *
 * Cells are square in degrees (about `cellKm` tall; narrower east-west away from the equator —
 * accounted for in the distance bound). Does not wrap at the antimeridian: cities do not cross it.
 */
export class GridIndex {
  private readonly cellDeg: number;
  private readonly cols: number;
  private readonly cells = new Map<number, Set<string>>();
  private readonly points = new Map<string, { point: GeoPoint; cell: number }>();

  constructor(readonly cellKm = 1) {
    if (!(cellKm > 0)) throw new Error('cellKm must be positive');
    this.cellDeg = cellKm / 111.195;
    this.cols = Math.ceil(360 / this.cellDeg) + 1;
  }

  get size(): number {
    return this.points.size;
  }

  has(id: string): boolean {
    return this.points.has(id);
  }

  get(id: string): GeoPoint | undefined {
    return this.points.get(id)?.point;
  }

  upsert(id: string, point: GeoPoint): void {
    const cell = this.cellOf(point);
    const existing = this.points.get(id);
    if (existing) {
      existing.point = point;
      if (existing.cell === cell) return;
      this.removeFromCell(existing.cell, id);
      existing.cell = cell;
    } else {
      this.points.set(id, { point, cell });
    }
    let set = this.cells.get(cell);
    if (!set) this.cells.set(cell, (set = new Set()));
    set.add(id);
  }

  remove(id: string): boolean {
    const existing = this.points.get(id);
    if (!existing) return false;
    this.removeFromCell(existing.cell, id);
    this.points.delete(id);
    return true;
  }

  /**
   * Visits the points within `maxKm` of `center`, ring by ring (nearer rings first; within a ring in
   * no particular order). Before each ring after the first, `stop(lowerBoundKm)` is asked whether the
   * search can end: every point not yet visited is at least `lowerBoundKm` away.
   */
  scan(
    center: GeoPoint,
    maxKm: number,
    visit: (id: string, km: number) => void,
    stop?: (lowerBoundKm: number) => boolean,
  ): void {
    const row0 = this.row(center.lat);
    const col0 = this.col(center.lng);
    const maxRing = Math.ceil(maxKm / this.minCellSideKm(center.lat, maxKm)) + 1;
    for (let r = 0; r <= maxRing; r++) {
      const bound = this.ringLowerBoundKm(center.lat, r);
      if (bound > maxKm) return;
      if (r > 0 && stop?.(bound)) return;
      for (let dr = -r; dr <= r; dr++) {
        const edgeRow = dr === -r || dr === r;
        const step = edgeRow ? 1 : 2 * r;
        for (let dc = -r; dc <= r; dc += step === 0 ? 1 : step) {
          const set = this.cells.get((row0 + dr) * this.cols + (col0 + dc));
          if (!set) continue;
          for (const id of set) {
            const km = haversineKm(center, this.points.get(id)!.point);
            if (km <= maxKm) visit(id, km);
          }
        }
      }
    }
  }

  /** The `limit` nearest points within `maxKm` that pass `accept`, nearest first. */
  nearest(
    center: GeoPoint,
    opts: { maxKm: number; limit: number; accept?: (id: string) => boolean },
  ): Array<{ id: string; km: number }> {
    const found: Array<{ id: string; km: number }> = [];
    this.scan(
      center,
      opts.maxKm,
      (id, km) => {
        if (!opts.accept || opts.accept(id)) found.push({ id, km });
      },
      (bound) => {
        if (found.length < opts.limit) return false;
        found.sort((a, b) => a.km - b.km);
        return found[opts.limit - 1]!.km <= bound;
      },
    );
    found.sort((a, b) => a.km - b.km);
    return found.slice(0, opts.limit);
  }

  private removeFromCell(cell: number, id: string): void {
    const set = this.cells.get(cell);
    if (!set) return;
    set.delete(id);
    if (set.size === 0) this.cells.delete(cell);
  }

  private row(lat: number): number {
    return Math.floor((lat + 90) / this.cellDeg);
  }
  private col(lng: number): number {
    return Math.floor((lng + 180) / this.cellDeg);
  }
  private cellOf(p: GeoPoint): number {
    return this.row(p.lat) * this.cols + this.col(p.lng);
  }

  /** East-west width of a cell at the highest latitude the search can reach (the narrowest one). */
  private minCellSideKm(lat: number, reachKm: number): number {
    const highest = Math.min(89, Math.abs(lat) + reachKm / 111.195 + this.cellDeg);
    return this.cellKm * Math.cos((highest * Math.PI) / 180);
  }

  /**
   * A point in a cell of ring r differs from the query by at least r-1 whole cells in latitude or in
   * longitude, so it is at least (r-1) × the narrowest cell side away.
   */
  private ringLowerBoundKm(lat: number, r: number): number {
    if (r <= 1) return 0;
    const highest = Math.min(89, Math.abs(lat) + (r + 1) * this.cellDeg);
    return (r - 1) * this.cellKm * Math.cos((highest * Math.PI) / 180);
  }
}
