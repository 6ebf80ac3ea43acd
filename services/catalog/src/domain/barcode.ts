/**
 * GS1 barcodes (EAN-8, UPC-A, EAN-13, GTIN-14): digits only, the last one a mod-10 check digit
 * computed with weights 3,1,3,1... from the right (excluding the check digit itself).
 */
const GTIN_LENGTHS = new Set([8, 12, 13, 14]);

export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Why the barcode is not a valid GTIN, or null when it is. */
export function barcodeProblem(code: string): string | null {
  if (!/^[0-9]+$/.test(code)) return 'must contain digits only';
  if (!GTIN_LENGTHS.has(code.length)) return 'must be an EAN-8, UPC-A (12), EAN-13 or GTIN-14 code';
  const expected = gs1CheckDigit(code.slice(0, -1));
  if (code.charCodeAt(code.length - 1) - 48 !== expected) return `check digit must be ${expected}`;
  return null;
}
