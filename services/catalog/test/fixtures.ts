import type { SeedData, SeedProduct } from '../src';

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

/**
 * A deterministic catalog: `count` products (5 SKUs each) over a 3-level category tree; every
 * tenth product stays a draft. Names repeat on purpose (ties in the name order test the cursor).
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
      skus: SIZES.map((size, s) => ({
        sku: `${id}-${size}`,
        attributes: { size },
        prices: { online: { amountMinor: 1000 + i * 10 + s, currency: 'EUR' }, store: { amountMinor: 1100 + i * 10 + s, currency: 'EUR' } },
        listing: { channels: ['online', 'store'] },
      })),
      publish: i % 10 !== 9,
    });
  }
  return { categories, products };
}
