import { AppError } from '@omni/kit';
import { describe, expect, it } from 'vitest';
import { bestLevel, supersedes } from '../src/domain/availability';
import { barcodeProblem, gs1CheckDigit } from '../src/domain/barcode';
import { assertValidParent, subtree } from '../src/domain/category';
import { priceErrors } from '../src/domain/money';
import {
  newProduct,
  publish,
  sellability,
  setListing,
  setPrice,
  unpublish,
  updateContent,
  type ProductInput,
} from '../src/domain/product';
import { queryTerms, searchFilter, searchPrefixes, words } from '../src/domain/search';

const NOW = '2026-01-01T00:00:00.000Z';
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

function input(over: Partial<ProductInput> = {}): ProductInput {
  return {
    id: 'p1',
    name: 'Trail Running Shoe',
    skus: [
      { sku: 'SHOE-42', barcode: '4006381333931', prices: { online: eur(9999), store: eur(10999) }, listing: { channels: ['online', 'store'] } },
      { sku: 'SHOE-43', prices: { online: eur(9999) }, listing: { channels: ['online'] } },
    ],
    ...over,
  };
}

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('barcodes (GS1 check digit)', () => {
  it('accepts valid EAN-13, EAN-8, UPC-A and GTIN-14 codes', () => {
    expect(barcodeProblem('4006381333931')).toBeNull(); // EAN-13
    expect(barcodeProblem('96385074')).toBeNull(); // EAN-8
    expect(barcodeProblem('036000291452')).toBeNull(); // UPC-A
    expect(barcodeProblem('10012345678902')).toBeNull(); // GTIN-14
  });
  it('rejects a wrong check digit, letters and odd lengths, naming the expected digit', () => {
    expect(barcodeProblem('4006381333932')).toBe('check digit must be 1');
    expect(barcodeProblem('40063813339A1')).toBe('must contain digits only');
    expect(barcodeProblem('123456789')).toMatch(/EAN-8/);
    expect(gs1CheckDigit('400638133393')).toBe(1);
  });
});

describe('prices', () => {
  it('accepts integer minor units in a known ISO currency', () => {
    expect(priceErrors(eur(0), 'p')).toEqual([]);
    expect(priceErrors({ amountMinor: 500, currency: 'JPY' }, 'p')).toEqual([]);
  });
  it('rejects floats, negatives, lower-case and unknown currencies', () => {
    expect(priceErrors({ amountMinor: 12.5, currency: 'EUR' }, 'p')[0]?.field).toBe('p/amountMinor');
    expect(priceErrors({ amountMinor: -1, currency: 'EUR' }, 'p')[0]?.message).toBe('must not be negative');
    expect(priceErrors({ amountMinor: 1, currency: 'eur' }, 'p')[0]?.field).toBe('p/currency');
    expect(priceErrors({ amountMinor: 1, currency: 'ABC' }, 'p')[0]?.message).toMatch(/unknown ISO 4217/);
  });
});

describe('name search', () => {
  it('folds case and accents and indexes every prefix of every word', () => {
    expect(words('Crème BRÛLÉE, 2x')).toEqual(['creme', 'brulee', '2x']);
    const prefixes = searchPrefixes('Red Shoe');
    expect(prefixes).toEqual(expect.arrayContaining(['r', 're', 'red', 's', 'sh', 'sho', 'shoe']));
    expect(prefixes).not.toContain('ed');
  });
  it('queries on the longest word first and requires all words', () => {
    expect(queryTerms('sh  RED')).toEqual(['red', 'sh']);
    expect(searchFilter(['red', 'sh'])).toEqual({ $and: [{ searchPrefixes: 'red' }, { searchPrefixes: { $all: ['sh'] } }] });
    expect(queryTerms('!!!')).toEqual([]);
  });
});

describe('product aggregate', () => {
  it('creates a draft with derived index fields', () => {
    const p = newProduct(input(), NOW);
    expect(p).toMatchObject({ status: 'draft', version: 1, skuIds: ['SHOE-42', 'SHOE-43'], listedChannels: ['online', 'store'], listedStores: ['*'] });
    expect(p.searchPrefixes).toContain('trai');
  });

  it('lists every bad field of the input at once (400)', () => {
    const err = errorOf(() =>
      newProduct(
        input({
          skus: [
            { sku: 'A', barcode: '4006381333932', prices: { online: { amountMinor: 1.5, currency: 'EUR' } } },
            { sku: 'A', storePrices: [{ storeId: 'S1', price: eur(1) }, { storeId: 'S1', price: eur(2) }] },
          ],
        }),
        NOW,
      ),
    );
    expect(err.status).toBe(400);
    const fields = (err.extensions.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(['body/skus/0/barcode', 'body/skus/0/prices/online/amountMinor', 'body/skus/1/sku', 'body/skus/1/storePrices/1/storeId']);
  });

  it('refuses to list a channel without a price (422)', () => {
    const err = errorOf(() => newProduct(input({ skus: [{ sku: 'A', prices: { online: eur(1) }, listing: { channels: ['online', 'store'] } }] }), NOW));
    expect(err).toMatchObject({ status: 422, slug: 'price-required' });
    const p = newProduct(input(), NOW);
    expect(errorOf(() => setListing(p, 'SHOE-43', { channels: ['store'] })).slug).toBe('price-required');
  });

  it('sets prices and store overrides, reporting the previous price, and treats the same price as a no-op', () => {
    const p = newProduct(input(), NOW);
    const base = setPrice(p, { sku: 'SHOE-42', channel: 'online' }, eur(8999));
    expect(base).toMatchObject({ changed: true, previous: eur(9999), price: eur(8999) });
    const same = setPrice(base.product, { sku: 'SHOE-42', channel: 'online' }, eur(8999));
    expect(same.changed).toBe(false);
    const override = setPrice(p, { sku: 'SHOE-42', channel: 'store', storeId: 'S1' }, eur(9500));
    expect(override).toMatchObject({ changed: true, previous: eur(10999), price: eur(9500) });
    const removed = setPrice(override.product, { sku: 'SHOE-42', channel: 'store', storeId: 'S1' }, null);
    expect(removed).toMatchObject({ changed: true, previous: eur(9500), price: eur(10999) });
    expect(errorOf(() => setPrice(p, { sku: 'SHOE-42', channel: 'online', storeId: 'S1' }, eur(1))).status).toBe(400);
    expect(errorOf(() => setPrice(p, { sku: 'SHOE-42', channel: 'online' }, null)).status).toBe(422);
    expect(errorOf(() => setPrice(p, { sku: 'NOPE', channel: 'online' }, eur(1))).slug).toBe('unknown-sku');
  });

  it('resolves sellability per channel and store', () => {
    let p = newProduct(input(), NOW);
    expect(sellability(p, 'SHOE-42', 'online')).toEqual({ sellable: false, reason: 'unpublished', price: eur(9999) });
    p = publish(p, NOW);
    p = setPrice(p, { sku: 'SHOE-42', channel: 'store', storeId: 'S1' }, eur(9500)).product;
    expect(sellability(p, 'SHOE-42', 'store', 'S1')).toEqual({ sellable: true, price: eur(9500) });
    expect(sellability(p, 'SHOE-42', 'store', 'S2')).toEqual({ sellable: true, price: eur(10999) });
    expect(sellability(p, 'SHOE-43', 'store', 'S1')).toMatchObject({ sellable: false, reason: 'not-listed' });
    expect(sellability(p, 'SHOE-42', 'phone')).toMatchObject({ sellable: false, reason: 'not-listed' });
    expect(sellability(p, 'GHOST', 'online')).toEqual({ sellable: false, reason: 'unknown' });
    const onlyS2 = setListing(p, 'SHOE-42', { channels: ['store'], stores: ['S2'] }).product;
    expect(sellability(onlyS2, 'SHOE-42', 'store', 'S1').sellable).toBe(false);
    expect(sellability(onlyS2, 'SHOE-42', 'store', 'S2').sellable).toBe(true);
    expect(onlyS2.listedStores).toEqual(['S2']);
  });

  it('publishes only drafts with something listed, unpublishes only published ones', () => {
    const p = newProduct(input(), NOW);
    const published = publish(p, NOW);
    expect(errorOf(() => publish(published, NOW)).slug).toBe('already-published');
    expect(errorOf(() => unpublish(p)).slug).toBe('not-published');
    expect(unpublish(published)).toMatchObject({ status: 'draft' });
    const unlisted = newProduct(input({ skus: [{ sku: 'X', prices: { online: eur(1) } }] }), NOW);
    expect(errorOf(() => publish(unlisted, NOW)).slug).toBe('nothing-listed');
  });

  it('reports which content fields changed, and none for an identical patch', () => {
    const p = newProduct(input({ categoryIds: ['c1'] }), NOW);
    expect(updateContent(p, { name: 'Road Shoe', categoryIds: ['c1'] }).changed).toEqual(['name']);
    expect(updateContent(p, { name: p.name, attributes: {} }).changed).toEqual([]);
    expect(updateContent(p, { name: 'Road Shoe' }).product.searchPrefixes).toContain('road');
  });
});

describe('category tree', () => {
  const tree = new Map(
    [
      { _id: 'root', parentId: null },
      { _id: 'shoes', parentId: 'root' },
      { _id: 'trail', parentId: 'shoes' },
      { _id: 'bags', parentId: 'root' },
    ].map((c) => [c._id, c]),
  );
  it('finds a subtree', () => {
    expect(subtree('shoes', tree.values()).sort()).toEqual(['shoes', 'trail']);
    expect(subtree('root', tree.values())).toHaveLength(4);
  });
  it('refuses cycles and unknown parents, allows moves elsewhere', () => {
    expect(errorOf(() => assertValidParent('shoes', 'trail', tree)).slug).toBe('category-cycle');
    expect(errorOf(() => assertValidParent('shoes', 'shoes', tree)).slug).toBe('category-cycle');
    expect(errorOf(() => assertValidParent('shoes', 'nope', tree)).slug).toBe('unknown-category');
    expect(() => assertValidParent('shoes', 'bags', tree)).not.toThrow();
  });
  it('bounds the depth of the moved subtree', () => {
    const chain = new Map<string, { _id: string; parentId: string | null }>();
    for (let i = 0; i < 7; i++) chain.set(`c${i}`, { _id: `c${i}`, parentId: i === 0 ? null : `c${i - 1}` });
    chain.set('x', { _id: 'x', parentId: null });
    chain.set('y', { _id: 'y', parentId: 'x' });
    expect(() => assertValidParent('new', 'c6', chain)).not.toThrow(); // depth 8
    expect(errorOf(() => assertValidParent('x', 'c6', chain)).slug).toBe('category-too-deep'); // x,y → 9
  });
});

describe('availability', () => {
  it('only strictly newer snapshots supersede', () => {
    expect(supersedes(1, null)).toBe(true);
    expect(supersedes(3, { version: 2 })).toBe(true);
    expect(supersedes(2, { version: 2 })).toBe(false);
    expect(supersedes(1, { version: 2 })).toBe(false);
  });
  it('a product is as available as its best SKU', () => {
    expect(bestLevel(['out', 'low'])).toBe('low');
    expect(bestLevel(['low', 'in_stock', 'out'])).toBe('in_stock');
    expect(bestLevel([])).toBe('out');
  });
});
