import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { NotFoundError, UnavailableError, UnprocessableError } from '@omni/kit';
import { newId } from '@omni/store';
import { identityKey, normaliseIdentity } from '../domain/identity';
import { resolveCustomer } from '../store/collections';
import type { Actor, CustomersContext } from './context';

/**
 * Proof that a member is at the counter before store staff spend their points (issue 13 item 4): a
 * clerk who merely names a customer id must not be able to redeem that customer's points.
 *
 * Two proofs: the member card the customer carries (its number is an identity of the customer), or a
 * one-time code sent to the member through the notifier port. Codes: 6 digits, 5 minutes, single use,
 * 3 wrong tries burn them; only a hash is stored.
 */

export const PRESENCE_CODE_TTL_MS = 5 * 60_000;
export const PRESENCE_CODE_ATTEMPTS = 3;

/** Reaches the member (SMS, push, e-mail): the only place the plain code goes. */
export interface MemberNotifier {
  sendPresenceCode(input: { customerId: string; code: string; expiresAt: string; storeId: string }): Promise<void>;
}

const PROBLEM = 'member-presence-unproven';

function codeHash(codeId: string, code: string): string {
  return createHash('sha256').update(`${codeId}|${code}`).digest('base64url');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Staff ask customers to send the member a one-time code; the member reads it out at the counter. */
export async function issuePresenceCode(
  ctx: CustomersContext,
  notifier: MemberNotifier | undefined,
  input: { customerId: string; storeId: string },
  actor: Actor,
): Promise<{ codeId: string; customerId: string; expiresAt: string }> {
  const resolved = await resolveCustomer(ctx.collections, input.customerId);
  if (!resolved || resolved.doc.status === 'erased') throw new NotFoundError('customer', input.customerId);
  if (!notifier)
    throw new UnavailableError('no channel to reach members is configured; scan the member card', 'member-unreachable');
  const now = ctx.clock();
  const codeId = newId();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(now.getTime() + PRESENCE_CODE_TTL_MS).toISOString();
  const customerId = resolved.doc._id;
  await ctx.collections.presenceCodes.insertOne({
    _id: codeId,
    customerId,
    hash: codeHash(codeId, code),
    storeId: input.storeId,
    issuedBy: actor,
    issuedAt: now.toISOString(),
    expiresAt,
    failedAttempts: 0,
  });
  await notifier.sendPresenceCode({ customerId, code, expiresAt, storeId: input.storeId });
  return { codeId, customerId, expiresAt };
}

export interface VerifyPresenceInput {
  customerId: string;
  memberCard?: string;
  codeId?: string;
  code?: string;
  actorSub: string;
  storeId: string;
  orderId: string;
}

/**
 * Checks a proof of presence for a customer (following merges on both sides). Any failure is the same
 * 422 `member-presence-unproven`, whichever part was wrong. A used code is consumed; success is audited.
 */
export async function verifyPresence(
  ctx: CustomersContext,
  input: VerifyPresenceInput,
  caller: Actor,
): Promise<{ customerId: string; method: 'member_card' | 'one_time_code' }> {
  const unproven = (why: string) =>
    new UnprocessableError(PROBLEM, `the member's presence is not proven (${why})`, { customerId: input.customerId });
  const target = await resolveCustomer(ctx.collections, input.customerId);
  if (!target || target.doc.status === 'erased') throw unproven('unknown customer');
  const customerId = target.doc._id;
  let method: 'member_card' | 'one_time_code';
  if (input.memberCard) {
    let normalised: string;
    try {
      normalised = normaliseIdentity('member_card', input.memberCard, ctx.identity);
    } catch {
      throw unproven('not a member card number');
    }
    const identity = await ctx.collections.identities.findById(identityKey('member_card', normalised));
    const owner = identity ? await resolveCustomer(ctx.collections, identity.customerId) : null;
    if (owner?.doc._id !== customerId) throw unproven('the card is not this customer’s');
    method = 'member_card';
  } else if (input.codeId && input.code) {
    await consumeCode(ctx, customerId, input.codeId, input.code, unproven);
    method = 'one_time_code';
  } else {
    throw unproven('no member card and no one-time code');
  }
  // The caller is the service placing the order; the staff member it acts for is in the details.
  await ctx.audit.record({
    actor: caller,
    action: 'customers.presence.verified',
    target: { type: 'customer', id: customerId },
    details: { method, staff: input.actorSub, storeId: input.storeId, orderId: input.orderId },
  });
  return { customerId, method };
}

async function consumeCode(
  ctx: CustomersContext,
  customerId: string,
  codeId: string,
  code: string,
  unproven: (why: string) => Error,
): Promise<void> {
  const now = ctx.clock().toISOString();
  const doc = await ctx.collections.presenceCodes.findById(codeId);
  const target = doc ? await resolveCustomer(ctx.collections, doc.customerId) : null;
  if (!doc || target?.doc._id !== customerId) throw unproven('unknown code');
  if (doc.usedAt) throw unproven('code already used');
  if (doc.expiresAt <= now) throw unproven('code expired');
  if (doc.failedAttempts >= PRESENCE_CODE_ATTEMPTS) throw unproven('too many wrong codes; send a new one');
  if (!sameHash(codeHash(codeId, code), doc.hash)) {
    // Guarded so parallel guesses never exceed the attempts.
    await ctx.collections.presenceCodes.updateOne(
      { _id: codeId, failedAttempts: { $lt: PRESENCE_CODE_ATTEMPTS } },
      { $inc: { failedAttempts: 1 } },
    );
    throw unproven('wrong code');
  }
  // Single use: exactly one verification wins.
  const used = await ctx.collections.presenceCodes.updateOne(
    { _id: codeId, usedAt: { $exists: false }, failedAttempts: { $lt: PRESENCE_CODE_ATTEMPTS } },
    { $set: { usedAt: now } },
  );
  if (used.modifiedCount !== 1) throw unproven('code already used');
}

