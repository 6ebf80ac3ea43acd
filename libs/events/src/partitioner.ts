/**
 * Key → partition, identical to Kafka's default partitioner (Java client and kafkajs
 * `Partitioners.DefaultPartitioner`): `(murmur2(utf8(key)) & 0x7fffffff) % partitions`.
 * Using the same function in the embedded bus means a key lands on the same partition number in
 * both adapters, and the result never changes between versions or processes (it is persisted
 * implicitly: records and committed offsets are stored per partition).
 */

/** 32-bit murmur2 with Kafka's seed, over the UTF-8 bytes of `key`. Returns a signed 32-bit int. */
export function murmur2(key: string | Uint8Array): number {
  const data = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4]! & 0xff) |
      ((data[i4 + 1]! & 0xff) << 8) |
      ((data[i4 + 2]! & 0xff) << 16) |
      ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // The last 1-3 bytes (Java's switch with fall-through).
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition (0..partitions-1) for `key`. */
export function partitionForKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`invalid partition count ${partitions}`);
  return (murmur2(key) & 0x7fffffff) % partitions;
}
