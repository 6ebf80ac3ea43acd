/**
 * The demo city every service is seeded with: one geography shared by inventory (locations),
 * pickup (store settings), dispatch (zones, stores, riders) and customers (addresses). Fixed
 * coordinates and a seeded PRNG, so every fresh start (and every test) sees the same city.
 */

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface DemoLocation {
  id: string;
  name: string;
  type: 'warehouse' | 'store';
  geo: GeoPoint;
  address: { lines: string[]; city: string; postalCode: string; country: string };
  capabilities: Array<'ships' | 'pickup' | 'local-delivery'>;
  openingHours: Array<{
    day: 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
    open: string;
    close: string;
  }>;
  /** Pickup preparation time (stores). */
  prepMinutes: number;
}

export interface DemoZone {
  id: string;
  name: string;
  /** GeoJSON Polygon coordinates: [ring][point][lng, lat]. */
  polygon: number[][][];
  storeIds: string[];
  maxTripMinutes: number;
}

export interface DemoRider {
  id: string;
  name: string;
  vehicle: 'bike' | 'scooter' | 'car';
  capacity: number;
  home: GeoPoint;
}

export const CITY = { name: 'Berlin', country: 'DE', center: { lat: 52.52, lng: 13.405 } };

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const weekdays = (open: string, close: string) =>
  (['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day) => ({ day, open, close }));

const STORE_SPOTS: Array<[string, number, number]> = [
  ['Mitte', 52.5208, 13.4094],
  ['Prenzlauer Berg', 52.5388, 13.4244],
  ['Friedrichshain', 52.5156, 13.4542],
  ['Kreuzberg', 52.4986, 13.4033],
  ['Neukölln', 52.4811, 13.4354],
  ['Schöneberg', 52.4833, 13.3533],
  ['Charlottenburg', 52.5163, 13.3041],
  ['Moabit', 52.5302, 13.3424],
  ['Wedding', 52.5491, 13.3671],
  ['Tempelhof', 52.4664, 13.385],
  ['Lichtenberg', 52.5155, 13.4997],
  ['Steglitz', 52.4569, 13.3228],
];

export function demoLocations(): DemoLocation[] {
  const warehouses: DemoLocation[] = [
    {
      id: 'WH-NORTH',
      name: 'Warehouse North (Reinickendorf)',
      type: 'warehouse',
      geo: { lat: 52.589, lng: 13.323 },
      address: { lines: ['Flottenstraße 28'], city: CITY.name, postalCode: '13407', country: CITY.country },
      capabilities: ['ships'],
      openingHours: weekdays('06:00', '22:00'),
      prepMinutes: 60,
    },
    {
      id: 'WH-SOUTH',
      name: 'Warehouse South (Marienfelde)',
      type: 'warehouse',
      geo: { lat: 52.42, lng: 13.37 },
      address: { lines: ['Motzener Straße 5'], city: CITY.name, postalCode: '12277', country: CITY.country },
      capabilities: ['ships', 'local-delivery'],
      openingHours: weekdays('06:00', '22:00'),
      prepMinutes: 45,
    },
  ];
  const stores: DemoLocation[] = STORE_SPOTS.map(([district, lat, lng], i) => ({
    id: `S${String(i + 1).padStart(2, '0')}`,
    name: `Omni ${district}`,
    type: 'store',
    geo: { lat, lng },
    address: {
      lines: [`${district}er Straße ${10 + i}`],
      city: CITY.name,
      postalCode: String(10115 + i * 37),
      country: CITY.country,
    },
    capabilities: ['pickup', 'local-delivery'],
    openingHours: weekdays('09:00', '20:00'),
    prepMinutes: 20 + (i % 3) * 10,
  }));
  return [...warehouses, ...stores];
}

/** A rectangle as a closed GeoJSON ring. */
function box(south: number, west: number, north: number, east: number): number[][][] {
  return [
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
      [west, south],
    ],
  ];
}

export function demoZones(): DemoZone[] {
  return [
    {
      id: 'Z-CENTRE',
      name: 'Centre',
      polygon: box(52.49, 13.33, 52.56, 13.47),
      storeIds: ['S01', 'S02', 'S03', 'S04', 'S07', 'S08', 'S09'],
      maxTripMinutes: 30,
    },
    {
      id: 'Z-EAST',
      name: 'East',
      polygon: box(52.47, 13.43, 52.55, 13.56),
      storeIds: ['S03', 'S05', 'S11'],
      maxTripMinutes: 30,
    },
    {
      id: 'Z-SOUTH',
      name: 'South',
      polygon: box(52.41, 13.28, 52.5, 13.45),
      storeIds: ['S04', 'S05', 'S06', 'S10', 'S12'],
      maxTripMinutes: 30,
    },
    {
      id: 'Z-WEST',
      name: 'West',
      polygon: box(52.48, 13.25, 52.56, 13.36),
      storeIds: ['S06', 'S07', 'S08'],
      maxTripMinutes: 30,
    },
  ];
}

export function demoRiders(count = 50): DemoRider[] {
  const rnd = prng(7);
  const stores = demoLocations().filter((l) => l.type === 'store');
  return Array.from({ length: count }, (_, i) => {
    const near = stores[i % stores.length]!.geo;
    const vehicle = (['bike', 'scooter', 'car'] as const)[i % 3]!;
    return {
      id: `R${String(i + 1).padStart(3, '0')}`,
      name: `Rider ${i + 1}`,
      vehicle,
      capacity: vehicle === 'car' ? 6 : vehicle === 'scooter' ? 3 : 2,
      home: { lat: near.lat + (rnd() - 0.5) * 0.02, lng: near.lng + (rnd() - 0.5) * 0.03 },
    };
  });
}

/** Stock per (sku, location): warehouses hold most, stores a few units, some SKUs absent in some stores. */
export function demoStock(
  skus: string[],
  locations: DemoLocation[],
): Array<{ sku: string; locationId: string; onHand: number; safetyStock: number; reorderPoint: number }> {
  const rnd = prng(42);
  const rows: Array<{
    sku: string;
    locationId: string;
    onHand: number;
    safetyStock: number;
    reorderPoint: number;
  }> = [];
  for (const sku of skus) {
    for (const loc of locations) {
      if (loc.type === 'warehouse') {
        rows.push({
          sku,
          locationId: loc.id,
          onHand: 50 + Math.floor(rnd() * 450),
          safetyStock: 5,
          reorderPoint: 40,
        });
      } else if (rnd() < 0.8) {
        rows.push({
          sku,
          locationId: loc.id,
          onHand: Math.floor(rnd() * 25),
          safetyStock: 1,
          reorderPoint: 3,
        });
      }
    }
  }
  return rows;
}

/**
 * Bin of every SKU at a warehouse: aisles A..H, racks 1..20, shelves 1..4, deterministic per
 * warehouse, so pick lists of the demo walk the aisles in a visible order.
 */
export function demoBins(skus: string[], warehouseId: string): Array<{ sku: string; bin: string }> {
  let seed = 0;
  for (const ch of warehouseId) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
  const rnd = prng(seed);
  return skus.map((sku) => {
    const aisle = String.fromCharCode(65 + Math.floor(rnd() * 8));
    const rack = 1 + Math.floor(rnd() * 20);
    const shelf = 1 + Math.floor(rnd() * 4);
    return { sku, bin: `${aisle}-${String(rack).padStart(2, '0')}-${shelf}` };
  });
}

/** Three suppliers with different lead times; every SKU has one (round robin, by SKU order). */
export function demoSuppliers(
  skus: string[],
): Array<{ id: string; name: string; leadTimeDays: number; skus: string[] }> {
  const suppliers = [
    { id: 'SUP-SPREE', name: 'Spree Textil GmbH', leadTimeDays: 3 },
    { id: 'SUP-HAVEL', name: 'Havel Sportswear AG', leadTimeDays: 7 },
    { id: 'SUP-ODER', name: 'Oder Basics s.r.o.', leadTimeDays: 14 },
  ];
  return suppliers.map((s, i) => ({ ...s, skus: skus.filter((_, n) => n % suppliers.length === i) }));
}

/**
 * Min/max replenishment for the last SKUs stocked at each store (the demo stories sell the first
 * ones, whose alerts stay for a human): at or below 2 available, back to 10 — by transfer from a
 * warehouse, or from the supplier.
 */
export function demoReplenishmentRules(
  stock: ReadonlyArray<{ sku: string; locationId: string }>,
  locations: DemoLocation[],
  perStore = 10,
): Array<{ sku: string; locationId: string; min: number; max: number }> {
  const rules: Array<{ sku: string; locationId: string; min: number; max: number }> = [];
  for (const store of locations.filter((l) => l.type === 'store')) {
    const skus = stock.filter((s) => s.locationId === store.id).slice(-perStore);
    for (const s of skus) rules.push({ sku: s.sku, locationId: store.id, min: 2, max: 10 });
  }
  return rules;
}
