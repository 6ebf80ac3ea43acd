import { randomFillSync } from 'node:crypto';

/**
 * ULID-style ids: 10 chars of 48-bit millisecond timestamp + 16 chars (80 bits) of randomness, in
 * Crockford base32 (URL-safe, no padding, 26 chars). Ids sort lexicographically by creation time, and
 * within one process they are strictly increasing: in the same millisecond (or if the clock steps
 * back) the random part of the previous id is incremented instead of drawn again.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LEN = 10;
const RANDOM_LEN = 16;
const MAX_TIME = 2 ** 48 - 1;

// Randomness is drawn in pools: one syscall per 512 ids instead of one per id.
const POOL_IDS = 512;
const pool = new Uint8Array(POOL_IDS * RANDOM_LEN);
let poolPos = pool.length;

let lastTime = -1;
/** Random part of the last id, one base32 digit (0..31) per element. */
const lastRandom = new Uint8Array(RANDOM_LEN);

function drawRandom(): void {
  if (poolPos >= pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  for (let i = 0; i < RANDOM_LEN; i++) lastRandom[i] = pool[poolPos + i]! & 31;
  poolPos += RANDOM_LEN;
}

/** Adds one to the random part; false on overflow (80 bits exhausted within one millisecond). */
function incrementRandom(): boolean {
  for (let i = RANDOM_LEN - 1; i >= 0; i--) {
    if (lastRandom[i]! < 31) {
      lastRandom[i]!++;
      return true;
    }
    lastRandom[i] = 0;
  }
  return false;
}

function encodeTime(time: number): string {
  let out = '';
  let t = time;
  for (let i = 0; i < TIME_LEN; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

export function newId(): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = Math.min(now, MAX_TIME);
    drawRandom();
  } else if (!incrementRandom()) {
    // Astronomically unlikely; borrow the next millisecond rather than repeat an id.
    lastTime++;
    drawRandom();
  }
  let out = encodeTime(lastTime);
  for (let i = 0; i < RANDOM_LEN; i++) out += ALPHABET[lastRandom[i]!];
  return out;
}

/** Milliseconds since the epoch encoded in an id made by `newId`. */
export function idTime(id: string): number {
  let t = 0;
  for (let i = 0; i < TIME_LEN; i++) {
    const digit = ALPHABET.indexOf(id[i] ?? '');
    if (digit < 0) throw new Error(`not an id: ${id}`);
    t = t * 32 + digit;
  }
  return t;
}
