import { gs1CheckDigit } from '../domain/barcode';
import type { Listing } from '../domain/product';
import type { SeedData, SeedProduct } from './seed-catalog';

const COLORS = ['Red', 'Blue', 'Green', 'Black', 'White', 'Crème', 'Navy', 'Olive'];
const MATERIALS = ['Cotton', 'Wool', 'Linen', 'Steel', 'Ceramic', 'Oak'];
const ITEMS: Array<[string, string]> = [
  ['Shirt', 'shirts'],
  ['Shorts', 'shorts'],
  ['Sweater', 'knitwear'],
  ['Mug', 'kitchen'],
  ['Bowl', 'kitchen'],
  ['Shovel', 'garden'],
  ['Planter', 'garden'],
  ['Shelf', 'furniture'],
];
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];

/** An EAN-13 in the GS1 in-store range (prefix 2), valid check digit. */
function demoBarcode(n: number): string {
  const body = `2${String(n).padStart(11, '0')}`;
  return body + String(gs1CheckDigit(body));
}

/**
 * A deterministic demo catalog for seedCatalog: `count` products with 5 SKUs each (so 200 → 1,000
 * SKUs) over a 3-level category tree, valid barcodes; every tenth product stays a draft. It follows
 * price and range parity, as the catalog's default policy asks: one EUR price online and in every
 * store, every SKU sold on both channels in every store (GET /v1/ops/parity lists nothing).
 * Names repeat on purpose (ties in the name order exercise the cursor).
 */
export function demoCatalog(count: number): SeedData {
  const categories = [
    { id: 'apparel', name: 'Apparel' },
    { id: 'tops', name: 'Tops', parentId: 'apparel' },
    { id: 'shirts', name: 'Shirts', parentId: 'tops' },
    { id: 'knitwear', name: 'Knitwear', parentId: 'tops' },
    { id: 'shorts', name: 'Shorts', parentId: 'apparel' },
    { id: 'home', name: 'Home' },
    { id: 'kitchen', name: 'Kitchen', parentId: 'home' },
    { id: 'furniture', name: 'Furniture', parentId: 'home' },
    { id: 'garden', name: 'Garden' },
  ];
  const products: SeedProduct[] = [];
  for (let i = 0; i < count; i++) {
    const [item, category] = ITEMS[i % ITEMS.length]!;
    const name = `${COLORS[i % COLORS.length]} ${MATERIALS[Math.floor(i / 3) % MATERIALS.length]} ${item}`;
    const id = `p${String(i).padStart(4, '0')}`;
    products.push({
      id,
      name,
      categoryIds: [category],
      images: [`https://img.example.com/${id}.jpg`],
      attributes: { brand: i % 2 === 0 ? 'acme' : 'globex' },
      skus: SIZES.map((size, s) => {
        const price = { amountMinor: 1000 + i * 10 + s, currency: 'EUR' };
        const listing: Listing = { channels: ['online', 'store'] };
        return {
          sku: `${id}-${size}`,
          barcode: demoBarcode(i * SIZES.length + s),
          attributes: { size },
          images: [],
          prices: { online: price, store: price },
          listing,
        };
      }),
      publish: i % 10 !== 9,
    });
  }
  return { categories, products };
}
