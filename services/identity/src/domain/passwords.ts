import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (node:crypto): a random salt per hash, the cost parameters stored
 * with the hash (so they can be raised later and old hashes still verify, then get upgraded at the
 * next sign-in), constant-time comparison.
 */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. Memory used is 128 · 2^logN · r bytes. */
  logN: number;
  r: number;
  p: number;
}

/** 2^15 · 8 · 128 B = 32 MiB per hash; about 200 ms on the 2-core reference machine (see README). */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 15, r: 8, p: 1 };

export interface PasswordHash extends ScryptParams {
  alg: 'scrypt';
  /** base64 salt (16 random bytes). */
  salt: string;
  /** base64 derived key (32 bytes). */
  dk: string;
}

const KEY_LENGTH = 32;
/** Passwords are capped so a huge one cannot turn hashing into a denial of service. */
export const MAX_PASSWORD_LENGTH = 256;

/** Told the cost parameters of every key derivation it runs (work accounting, e.g. a metric). */
export type KdfMeter = (params: ScryptParams) => void;

/** scrypt work of one derivation in units of N·r·p (what an attacker's timing would see). */
export function kdfWork(params: ScryptParams): number {
  return 2 ** params.logN * params.r * params.p;
}

function derive(secret: string, salt: Buffer, params: ScryptParams, meter?: KdfMeter): Promise<Buffer> {
  meter?.({ logN: params.logN, r: params.r, p: params.p });
  const N = 2 ** params.logN;
  const opts: ScryptOptions = {
    N,
    r: params.r,
    p: params.p,
    maxmem: 128 * N * params.r * params.p + 16 * 1024 * 1024,
  };
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFKC'), salt, KEY_LENGTH, opts, (err, dk) => (err ? reject(err) : resolve(dk))),
  );
}

export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const dk = await derive(password, salt, params);
  return { alg: 'scrypt', ...params, salt: salt.toString('base64'), dk: dk.toString('base64') };
}

export async function verifyPassword(
  password: string,
  stored: PasswordHash,
  meter?: KdfMeter,
): Promise<boolean> {
  if (stored.alg !== 'scrypt' || password.length > MAX_PASSWORD_LENGTH) return false;
  const expected = Buffer.from(stored.dk, 'base64');
  const actual = await derive(password, Buffer.from(stored.salt, 'base64'), stored, meter);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** True when the stored hash is weaker than the current parameters (re-hash at the next sign-in). */
export function needsRehash(stored: PasswordHash, current: ScryptParams): boolean {
  return stored.logN < current.logN || stored.r < current.r || stored.p < current.p;
}

/**
 * A hash of nothing, verified when the user does not exist, so "no such user" costs the same time
 * as "wrong password" and response times do not reveal which usernames exist.
 */
export class DummyHash {
  private hash?: Promise<PasswordHash>;
  constructor(readonly params: ScryptParams) {}
  async verify(password: string, meter?: KdfMeter): Promise<void> {
    this.hash ??= hashPassword(randomBytes(16).toString('hex'), this.params);
    // Cut like verifyPassword, so an over-long password costs nothing in either path.
    if (password.length > MAX_PASSWORD_LENGTH) return;
    await verifyPassword(password, await this.hash, meter);
  }
}
