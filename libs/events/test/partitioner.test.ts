import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../src';

describe('partitionForKey', () => {
  const keys = [
    '',
    'a',
    'ab',
    'abc',
    'abcd',
    'order-1',
    '01JABCDEFGHJKMNPQRSTVWXYZ0',
    'sku:ÄÖÜ-ß',
    '店舗-42',
    '🙂🙃',
    ...Array.from({ length: 300 }, (_, i) => `key-${i * 7919}-${'x'.repeat(i % 13)}`),
  ];

  it('matches the kafkajs (Java-compatible) default partitioner exactly', () => {
    const kafkaPartitioner = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 8, 12, 64]) {
      const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
      }));
      for (const key of keys) {
        expect(partitionForKey(key, partitions), `key ${key} / ${partitions}`).toBe(
          kafkaPartitioner({ topic: 't', partitionMetadata, message: { key, value: null } }),
        );
      }
    }
  });

  it('equals the Java client murmur2 (test vectors of Kafka UtilsTest.testMurmur2)', () => {
    // A change here would move keys to other partitions of existing logs.
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(new Uint8Array([0x61, 0x62, 0x63]))).toBe(479470107);
  });

  it('spreads keys over all partitions', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionForKey(`order-${i}`, 8)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(700);
  });

  it('rejects a bad partition count', () => {
    expect(() => partitionForKey('k', 0)).toThrow(RangeError);
  });
});
