import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets at rest (TOTP seeds, private signing keys) with AES-256-GCM under a key derived
 * from the deployment's IDENTITY_ENCRYPTION_SECRET. Without a secret (tests, embedded demo) values
 * are stored encoded but not encrypted, marked `plain.` so a later deployment with a secret can
 * still read them.
 */
export class SecretBox {
  private readonly key?: Buffer;

  constructor(secret?: string | Buffer) {
    if (secret !== undefined) {
      if (Buffer.byteLength(secret) < 16)
        throw new Error('the identity encryption secret must be at least 16 bytes');
      this.key = Buffer.from(hkdfSync('sha256', secret, 'omni-identity', 'secret-box-v1', 32));
    }
  }

  get encrypting(): boolean {
    return this.key !== undefined;
  }

  seal(plain: string): string {
    if (!this.key) return `plain.${Buffer.from(plain).toString('base64url')}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, ...parts] = sealed.split('.');
    if (version === 'plain') return Buffer.from(parts[0] ?? '', 'base64url').toString('utf8');
    if (version !== 'v1' || parts.length !== 3) throw new Error('unknown sealed secret format');
    if (!this.key)
      throw new Error('an encrypted secret was found but no identity encryption secret is configured');
    const [iv, tag, ct] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  }
}
