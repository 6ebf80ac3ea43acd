import { ConflictError, NotFoundError } from '@omni/kit';
import { newId } from '@omni/store';
import { openKeyOf, type SuggestionDoc, type SuggestionOrigin } from '../../domain/purchasing';
import type { Actor } from '../../domain/types';
import type { Tx } from '../context';

export interface SuggestionInput {
  sku: string;
  locationId: string;
  suggestedQty: number;
  suggestedSourceLocationId?: string;
  available: number;
  reorderPoint: number;
  origin: SuggestionOrigin;
  note?: string;
}

/**
 * Puts a suggestion in the location's inbox, or merges it into the open one for the same SKU and
 * location (latest figures win, `alerts` counts the merges). One atomic upsert on the unique
 * `openKey`: two alerts racing never leave two open suggestions.
 */
export async function upsertSuggestion(tx: Tx, input: SuggestionInput): Promise<SuggestionDoc> {
  const { suggestions, skuSuppliers } = tx.ctx.collections;
  const supplier = await skuSuppliers.findById(input.sku, { session: tx.session });
  const latest = {
    suggestedQty: input.suggestedQty,
    available: input.available,
    reorderPoint: input.reorderPoint,
    updatedAt: tx.nowIso,
    ...(input.suggestedSourceLocationId
      ? { suggestedSourceLocationId: input.suggestedSourceLocationId }
      : {}),
    ...(supplier ? { supplierId: supplier.supplierId } : {}),
    ...(input.note ? { note: input.note } : {}),
  };
  const doc = await suggestions.findOneAndUpdate(
    { openKey: openKeyOf(input.sku, input.locationId) },
    {
      $set: latest,
      $inc: { alerts: 1 },
      $setOnInsert: {
        _id: newId(),
        sku: input.sku,
        locationId: input.locationId,
        status: 'open',
        origin: input.origin,
        createdAt: tx.nowIso,
      },
    },
    { session: tx.session, upsert: true },
  );
  // With upsert the store always returns the document.
  return doc!;
}

export const unknownSuggestion = (id: string) =>
  new NotFoundError('restock suggestion', id, 'unknown-suggestion');

/** Loads a suggestion inside the transaction, or 404. */
export async function suggestionIn(tx: Tx, id: string): Promise<SuggestionDoc> {
  const s = await tx.ctx.collections.suggestions.findById(id, { session: tx.session });
  if (!s) throw unknownSuggestion(id);
  return s;
}

/**
 * Closes an open suggestion (one conditional update: a suggestion acted on twice at once becomes
 * one transfer or order, the other caller gets 409). Frees its `openKey` for the next alert.
 */
export async function closeSuggestion(
  tx: Tx,
  s: SuggestionDoc,
  status: Exclude<SuggestionDoc['status'], 'open'>,
  actor: Actor,
  extra: Pick<SuggestionDoc, 'result' | 'dismissReason'>,
): Promise<SuggestionDoc> {
  const closed = await tx.ctx.collections.suggestions.findOneAndUpdate(
    { _id: s._id, status: 'open' },
    {
      $set: {
        status,
        openKey: `closed|${s._id}`,
        closedAt: tx.nowIso,
        closedBy: actor,
        updatedAt: tx.nowIso,
        ...(extra.result ? { result: extra.result } : {}),
        ...(extra.dismissReason ? { dismissReason: extra.dismissReason } : {}),
      },
    },
    { session: tx.session },
  );
  if (!closed) throw new ConflictError('suggestion-not-open', `suggestion ${s._id} was already ${s.status}`);
  return closed;
}
