/**
 * Points and member levels.
 *
 * - Points accrue from completed orders: `pointsPerMajorUnit` per whole unit of the order's currency
 *   (12.99 EUR at 1 point/unit = 12 points; 500 JPY = 500 points), rounded down.
 * - Every change is an immutable entry of the points ledger; the balance is the sum of the ledger.
 * - Points are earned in lots that expire `validityDays` after they were earned. Spending and
 *   expiry consume lots first-in-first-out by expiry date (oldest expiry first), so a customer never
 *   loses points that a newer lot would have covered.
 * - The member level follows lifetime points (points ever earned from orders; spending and expiry
 *   do not lower it): the highest threshold reached.
 */

export interface LevelThreshold {
  name: string;
  /** Lifetime points from which the level applies. The first threshold must be 0. */
  minLifetimePoints: number;
}

export const DEFAULT_LEVELS: LevelThreshold[] = [
  { name: 'basic', minLifetimePoints: 0 },
  { name: 'silver', minLifetimePoints: 1_000 },
  { name: 'gold', minLifetimePoints: 5_000 },
];

export interface PointsPolicy {
  pointsPerMajorUnit: number;
  validityDays: number;
  levels: LevelThreshold[];
}

export const DEFAULT_POINTS_POLICY: PointsPolicy = { pointsPerMajorUnit: 1, validityDays: 365, levels: DEFAULT_LEVELS };

/** Parses "basic:0,silver:1000,gold:5000" (the env form); thresholds sorted, first must be 0. */
export function parseLevels(spec: string): LevelThreshold[] {
  const levels = spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([a-z][a-z0-9_-]{0,31}):(\d{1,12})$/.exec(part);
      if (!m) throw new Error(`level "${part}" must look like name:minLifetimePoints, e.g. silver:1000`);
      return { name: m[1]!, minLifetimePoints: Number(m[2]) };
    })
    .sort((a, b) => a.minLifetimePoints - b.minLifetimePoints);
  validateLevels(levels);
  return levels;
}

export function validateLevels(levels: LevelThreshold[]): void {
  if (levels.length === 0 || levels[0]!.minLifetimePoints !== 0) throw new Error('the lowest level must start at 0 points');
  const names = new Set(levels.map((l) => l.name));
  if (names.size !== levels.length) throw new Error('level names must be unique');
  for (let i = 1; i < levels.length; i++) {
    if (levels[i]!.minLifetimePoints <= levels[i - 1]!.minLifetimePoints) throw new Error('level thresholds must increase');
  }
}

/** The level reached with `lifetimePoints`. */
export function levelFor(levels: LevelThreshold[], lifetimePoints: number): string {
  let name = levels[0]!.name;
  for (const level of levels) if (lifetimePoints >= level.minLifetimePoints) name = level.name;
  return name;
}

/** Rank of a level name (unknown names — e.g. a level removed from config — rank lowest). */
export function levelRank(levels: LevelThreshold[], name: string): number {
  return levels.findIndex((l) => l.name === name);
}

/** The higher of two levels (merges keep the better one). */
export function maxLevel(levels: LevelThreshold[], a: string, b: string): string {
  return levelRank(levels, b) > levelRank(levels, a) ? b : a;
}

const fractionDigitsCache = new Map<string, number>();

/** ISO 4217 minor-unit digits (2 for EUR, 0 for JPY, 3 for KWD), from the runtime's ICU data. */
export function currencyFractionDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/** Points earned for an order total (never negative; rounded down to whole points). */
export function pointsForOrder(total: { amountMinor: number; currency: string }, pointsPerMajorUnit: number): number {
  if (total.amountMinor <= 0) return 0;
  const minorPerMajor = 10 ** currencyFractionDigits(total.currency);
  return Math.floor((total.amountMinor * pointsPerMajorUnit) / minorPerMajor);
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}

/** An earned (or refunded, or merged-in) batch of points with its own expiry. */
export interface Lot {
  _id: string;
  remaining: number;
  expiresAt: string;
  earnedAt: string;
}

/** Orders lots for consumption: earliest expiry first, then earliest earned, then id (stable). */
export function fifoOrder<L extends Lot>(lots: L[]): L[] {
  return [...lots].sort(
    (a, b) =>
      a.expiresAt.localeCompare(b.expiresAt) || a.earnedAt.localeCompare(b.earnedAt) || a._id.localeCompare(b._id),
  );
}

/**
 * Takes `points` from `lots` first-in-first-out. Returns what to take from each lot; throws if the
 * lots cannot cover it (callers check the balance atomically first, so this means drift).
 */
export function consumeFifo(lots: Lot[], points: number): Array<{ lotId: string; take: number }> {
  const out: Array<{ lotId: string; take: number }> = [];
  let left = points;
  for (const lot of fifoOrder(lots)) {
    if (left === 0) break;
    if (lot.remaining <= 0) continue;
    const take = Math.min(lot.remaining, left);
    out.push({ lotId: lot._id, take });
    left -= take;
  }
  if (left > 0) throw new Error(`points lots cover ${points - left} of ${points} points`);
  return out;
}
