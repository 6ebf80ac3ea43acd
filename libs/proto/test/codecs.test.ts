import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { common } from '@omni/proto';

// Round trips through the generated ts-proto codecs, plus the exact wire bytes for Money so we know
// other protobuf implementations (Go, Java, grpcurl) read what we write.
describe('common.v1 codecs', () => {
  it('encodes Money as the canonical protobuf wire format and decodes it back', () => {
    const price: common.Money = { amountMinor: 1234, currency: 'EUR' };
    const bytes = common.Money.encode(price).finish();
    // field 1 varint (tag 0x08) 1234 = 0xd2 0x09; field 2 length-delimited (tag 0x12) "EUR".
    expect([...bytes]).toEqual([0x08, 0xd2, 0x09, 0x12, 0x03, 0x45, 0x55, 0x52]);
    expect(common.Money.decode(bytes)).toEqual(price);
  });

  it('round-trips negative and largest safe int64 amounts as numbers (forceLong=number)', () => {
    for (const amountMinor of [-500, 0, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const money: common.Money = { amountMinor, currency: 'JPY' };
      expect(common.Money.decode(common.Money.encode(money).finish())).toEqual(money);
    }
  });

  it('refuses to decode an int64 amount that a JS number cannot carry exactly', () => {
    const tooLarge = new BinaryWriter()
      .uint32(0x08)
      .int64(2n ** 60n)
      .finish();
    expect(() => common.Money.decode(tooLarge)).toThrow(/MAX_SAFE_INTEGER/);
  });

  it('round-trips GeoPoint doubles exactly', () => {
    const store: common.GeoPoint = { lat: 48.137154, lng: -11.576124 };
    expect(common.GeoPoint.decode(common.GeoPoint.encode(store).finish())).toEqual(store);
  });

  it('round-trips an Address with its nested GeoPoint, and leaves an unset geo undefined', () => {
    const address: common.Address = {
      lines: ['Marienplatz 1', '2. OG'],
      city: 'München',
      postalCode: '80331',
      country: 'DE',
      geo: { lat: 48.137154, lng: 11.576124 },
    };
    expect(common.Address.decode(common.Address.encode(address).finish())).toEqual(address);

    const notGeocoded = common.Address.decode(common.Address.encode({ ...address, geo: undefined }).finish());
    expect(notGeocoded.geo).toBeUndefined();
    expect(notGeocoded.lines).toEqual(address.lines);
  });

  it('uses proto3 JSON names for enums and camelCase fields', () => {
    expect(common.channelToJSON(common.Channel.CHANNEL_STORE)).toBe('CHANNEL_STORE');
    expect(common.channelFromJSON('CHANNEL_PHONE')).toBe(common.Channel.CHANNEL_PHONE);
    expect(common.channelFromJSON('CHANNEL_CARRIER_PIGEON')).toBe(common.Channel.UNRECOGNIZED);
    expect(common.PageInfo.toJSON({ nextCursor: 'abc' })).toEqual({ nextCursor: 'abc' });
    expect(common.PageRequest.fromJSON({ limit: 50, cursor: 'abc' })).toEqual({ limit: 50, cursor: 'abc' });
  });
});
