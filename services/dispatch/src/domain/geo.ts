/**
 * Geometry on the sphere at city scale: haversine distances and point-in-polygon on GeoJSON
 * polygons (outer ring + holes). Positions inside GeoJSON are [lng, lat], as the spec says; points
 * in the API and in events are `{ lat, lng }`.
 */

export interface GeoPoint {
  lat: number;
  lng: number;
}

/** GeoJSON position: [longitude, latitude]. */
export type Position = [number, number];
/** A closed ring: at least four positions, first equals last. */
export type LinearRing = Position[];

export interface PolygonGeometry {
  type: 'Polygon';
  /** rings[0] is the outer boundary, the others are holes. */
  coordinates: LinearRing[];
}

export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: LinearRing[][];
}

export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle distance in km. */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLng = (b.lng - a.lng) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s)));
}

export function distanceMeters(a: GeoPoint, b: GeoPoint): number {
  return haversineKm(a, b) * 1000;
}

/** A point moved `km` north and `km` east (flat approximation, for building test geometries). */
export function offsetKm(p: GeoPoint, northKm: number, eastKm: number): GeoPoint {
  const lat = p.lat + northKm / 111.195;
  const lng = p.lng + eastKm / (111.195 * Math.cos(p.lat * RAD));
  return { lat, lng };
}

/**
 * Even-odd ray casting in the lng/lat plane (exact enough for city-sized polygons that do not cross
 * the antimeridian). Points exactly on an edge may land on either side.
 */
function ringContains(ring: LinearRing, p: GeoPoint): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p.lat !== yj > p.lat && p.lng < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function polygonContains(rings: LinearRing[], p: GeoPoint): boolean {
  const [outer, ...holes] = rings;
  if (!outer || !ringContains(outer, p)) return false;
  return !holes.some((hole) => ringContains(hole, p));
}

export function areaContains(area: AreaGeometry, p: GeoPoint): boolean {
  if (area.type === 'Polygon') return polygonContains(area.coordinates, p);
  return area.coordinates.some((poly) => polygonContains(poly, p));
}

export interface BBox {
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

export function areaBBox(area: AreaGeometry): BBox {
  const box: BBox = { minLat: 90, minLng: 180, maxLat: -90, maxLng: -180 };
  const polys = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
  for (const poly of polys) {
    for (const [lng, lat] of poly[0] ?? []) {
      box.minLat = Math.min(box.minLat, lat);
      box.maxLat = Math.max(box.maxLat, lat);
      box.minLng = Math.min(box.minLng, lng);
      box.maxLng = Math.max(box.maxLng, lng);
    }
  }
  return box;
}

export function bboxContains(b: BBox, p: GeoPoint): boolean {
  return p.lat >= b.minLat && p.lat <= b.maxLat && p.lng >= b.minLng && p.lng <= b.maxLng;
}

export interface GeometryProblem {
  /** JSON pointer below the geometry, e.g. "/coordinates/0/3". */
  path: string;
  message: string;
}

/**
 * Structural checks the schema cannot express: rings closed, at least three distinct corners,
 * positions within range, non-zero area. Returns every problem found (empty = valid).
 */
export function validateArea(area: AreaGeometry): GeometryProblem[] {
  const problems: GeometryProblem[] = [];
  const polys =
    area.type === 'Polygon'
      ? [{ rings: area.coordinates, path: '/coordinates' }]
      : area.coordinates.map((rings, i) => ({ rings, path: `/coordinates/${i}` }));
  if (polys.length === 0)
    problems.push({ path: '/coordinates', message: 'must contain at least one polygon' });
  for (const { rings, path } of polys) {
    if (rings.length === 0) problems.push({ path, message: 'a polygon needs an outer ring' });
    rings.forEach((ring, r) => {
      const at = `${path}/${r}`;
      if (ring.length < 4) {
        problems.push({
          path: at,
          message: 'a ring needs at least 4 positions (3 corners and the closing one)',
        });
        return;
      }
      let positionsValid = true;
      ring.forEach((pos, i) => {
        const [lng, lat] = pos;
        if (
          pos.length !== 2 ||
          !Number.isFinite(lng) ||
          !Number.isFinite(lat) ||
          lng < -180 ||
          lng > 180 ||
          lat < -90 ||
          lat > 90
        ) {
          problems.push({
            path: `${at}/${i}`,
            message: 'a position is [longitude -180..180, latitude -90..90]',
          });
          positionsValid = false;
        }
      });
      if (!positionsValid) return;
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1])
        problems.push({
          path: at,
          message: 'the ring is not closed: the last position must equal the first',
        });
      const distinct = new Set(ring.map(([lng, lat]) => `${lng},${lat}`));
      if (distinct.size < 3) problems.push({ path: at, message: 'a ring needs at least 3 distinct corners' });
      else if (Math.abs(ringSignedArea(ring)) < 1e-12)
        problems.push({ path: at, message: 'the ring has no area (all corners on one line)' });
    });
  }
  return problems;
}

/** Shoelace formula in degrees² (only its sign and zero-ness matter here). */
function ringSignedArea(ring: LinearRing): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    sum += (xj - xi) * (yj + yi);
  }
  return sum / 2;
}
