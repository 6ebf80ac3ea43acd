import { BadRequestError, ConflictError, type Actor, type FieldError } from '@omni/kit';
import { isDuplicateKeyError, type Session } from '@omni/store';
import type { GoodsLine, Money, Offer, OfferKind, OfferLimits } from '../domain/offer';
import type { VouchersContext } from './context';

export interface OfferInput {
  id: string;
  sku: string;
  name: string;
  kind: OfferKind;
  faceValue?: Money;
  goods?: GoodsLine[];
  stores?: string[];
  validFrom: string;
  validUntil: string;
  validDaysAfterPurchase?: number;
  excludedWeekdays?: number[];
  excludedDates?: string[];
  limits?: OfferLimits;
  refundOnRequest?: boolean;
  refundOnExpiry?: boolean;
}

/** Rules the schema cannot say; bad input → 400 with every field, nothing written. */
function offerErrors(i: OfferInput): FieldError[] {
  const errors: FieldError[] = [];
  if (Date.parse(i.validFrom) >= Date.parse(i.validUntil))
    errors.push({ field: 'body/validUntil', message: 'must be after validFrom' });
  if (i.kind === 'value' && !i.faceValue)
    errors.push({ field: 'body/faceValue', message: 'required for value vouchers' });
  if (i.kind !== 'value' && i.faceValue)
    errors.push({ field: 'body/faceValue', message: 'only for value vouchers' });
  if (i.kind === 'goods' && !i.goods?.length)
    errors.push({ field: 'body/goods', message: 'required for goods vouchers' });
  if (i.kind !== 'goods' && i.goods) errors.push({ field: 'body/goods', message: 'only for goods vouchers' });
  if (i.kind !== 'value' && i.limits?.perVoucherPerDay !== undefined)
    errors.push({ field: 'body/limits/perVoucherPerDay', message: 'only for (multi-use) value vouchers' });
  return errors;
}

/** Ops defines the terms of a voucher SKU (audited). One offer per SKU. */
export async function createOffer(ctx: VouchersContext, actor: Actor, i: OfferInput): Promise<Offer> {
  const errors = offerErrors(i);
  if (errors.length > 0) throw new BadRequestError('The voucher offer is not valid', errors);
  const offer: Offer = {
    _id: i.id,
    sku: i.sku,
    name: i.name,
    kind: i.kind,
    ...(i.faceValue ? { faceValue: i.faceValue } : {}),
    ...(i.goods ? { goods: i.goods } : {}),
    stores: [...new Set(i.stores ?? [])].sort(),
    validFrom: new Date(i.validFrom).toISOString(),
    validUntil: new Date(i.validUntil).toISOString(),
    ...(i.validDaysAfterPurchase ? { validDaysAfterPurchase: i.validDaysAfterPurchase } : {}),
    excludedWeekdays: [...new Set(i.excludedWeekdays ?? [])].sort(),
    excludedDates: [...new Set(i.excludedDates ?? [])].sort(),
    limits: i.limits ?? {},
    refundOnRequest: i.refundOnRequest ?? true,
    refundOnExpiry: i.refundOnExpiry ?? false,
    createdAt: ctx.clock().toISOString(),
    createdBy: actor.sub,
  };
  try {
    await ctx.store.withTransaction(async (s: Session) => {
      await ctx.collections.offers.insertOne(offer, { session: s });
      await ctx.audit.record(
        {
          actor,
          action: 'vouchers.offer.create',
          target: { type: 'voucher-offer', id: offer._id },
          details: { sku: offer.sku, kind: offer.kind },
        },
        s,
      );
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    throw new ConflictError('offer-exists', `an offer with id ${i.id} or for SKU ${i.sku} exists`);
  }
  return offer;
}
