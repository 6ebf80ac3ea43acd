import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, normaliseCode, VoucherCodes } from '../src';
import { settlementFor, type Voucher } from '../src/domain/voucher';
import { offerRefusal, type Offer } from '../src/domain/offer';

const codes = new VoucherCodes('domain-test-secret-0123456789abcdef');

describe('voucher codes', () => {
  it('are 12 symbols of the alphabet, stable per voucher and nonce, and read back however typed', () => {
    const issued = codes.issue('ord-1:VCH:0');
    expect(issued.code).toHaveLength(12);
    for (const ch of issued.code) expect(CODE_ALPHABET).toContain(ch);
    expect(codes.codeFor('ord-1:VCH:0', issued.nonce)).toBe(issued.code);
    const typed =
      `${issued.code.slice(0, 4)}-${issued.code.slice(4, 8)} ${issued.code.slice(8)}`.toLowerCase();
    expect(normaliseCode(typed)).toBe(issued.code);
    expect(normaliseCode('OIL0-0000-0000')).toBe('0110' + '00000000');
    expect(normaliseCode('UUUU-UUUU-UUUU')).toBeUndefined();
    expect(normaliseCode('short')).toBeUndefined();
  });

  it('QR payloads verify with the public key alone; a changed byte or a past expiry does not', () => {
    const code = codes.issue('v-1').code;
    const exp = Math.floor(Date.parse('2030-01-01T00:00:00Z') / 1000);
    const qr = codes.qrFor({ voucherId: 'v-1', code, exp });
    const pem = codes.qrPublicKeyPem();
    const now = new Date('2029-06-01T00:00:00Z');
    expect(VoucherCodes.verifyQrWith(qr, pem, now)).toEqual({
      ok: true,
      claims: { voucherId: 'v-1', code, exp },
    });
    const [prefix, body, sig] = qr.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ v: 'v-2', c: code, e: exp })).toString('base64url');
    expect(VoucherCodes.verifyQrWith(`${prefix}.${forged}.${sig}`, pem, now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(
      VoucherCodes.verifyQrWith(`${prefix}.${body}.${sig}`, pem, new Date('2031-01-01T00:00:00Z')),
    ).toEqual({
      ok: false,
      reason: 'expired',
    });
    const other = new VoucherCodes('another-secret-0123456789abcdef-xyz');
    expect(VoucherCodes.verifyQrWith(qr, other.qrPublicKeyPem(), now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });
});

describe('settlement', () => {
  it('the parts of a fully used value voucher add up to exactly the price paid', () => {
    const parts = [1, 333, 1250, 17, 999, 2400];
    const v = {
      pricePaid: { amountMinor: 3999, currency: 'EUR' },
      face: { amountMinor: parts.reduce((a, b) => a + b, 0), currency: 'EUR' },
      used: 0,
    } as Voucher;
    let total = 0;
    for (const p of parts) {
      const s = settlementFor(v, p);
      expect(s).toBeGreaterThanOrEqual(0);
      total += s;
      v.used += p;
    }
    expect(total).toBe(3999);
  });
});

describe('offer rules', () => {
  const offer = {
    stores: ['S01'],
    excludedWeekdays: [0],
    excludedDates: ['2030-03-07'],
  } as unknown as Offer;
  const window = { validFrom: '2030-03-01T00:00:00.000Z', validUntil: '2030-04-01T00:00:00.000Z' };
  it('validity window (end exclusive), excluded weekdays and dates (UTC), stores', () => {
    expect(offerRefusal(offer, window, 'S01', new Date('2030-03-06T12:00:00Z'))).toBeUndefined();
    expect(offerRefusal(offer, window, 'S01', new Date('2030-02-28T23:59:59Z'))).toBe('not-yet-valid');
    expect(offerRefusal(offer, window, 'S01', new Date('2030-04-01T00:00:00Z'))).toBe('expired');
    expect(offerRefusal(offer, window, 'S01', new Date('2030-03-10T10:00:00Z'))).toBe('excluded-day'); // a Sunday
    expect(offerRefusal(offer, window, 'S01', new Date('2030-03-07T23:00:00Z'))).toBe('excluded-day');
    expect(offerRefusal(offer, window, 'S02', new Date('2030-03-06T12:00:00Z'))).toBe('store-not-allowed');
  });
});
