/**
 * Identities: the ways a person shows up — an online account (email), a phone, a store member card,
 * a messaging app id. Values are normalised before they are stored or looked up, so "Ann@Example.com "
 * and "ann@example.com" are one identity, and (kind, normalised value) is unique across live customers.
 */

export const IDENTITY_KINDS = ['email', 'phone', 'member_card', 'messaging'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export function isIdentityKind(s: string): s is IdentityKind {
  return (IDENTITY_KINDS as readonly string[]).includes(s);
}

export interface Identity {
  kind: IdentityKind;
  /** Normalised value (the unique key together with kind). */
  value: string;
  verified: boolean;
  addedAt: string;
  verifiedAt?: string;
}

export class InvalidIdentityError extends Error {
  constructor(
    readonly kind: string,
    readonly reason: string,
  ) {
    super(`invalid ${kind}: ${reason}`);
    this.name = 'InvalidIdentityError';
  }
}

export interface NormaliseOptions {
  /**
   * Country calling code (digits, e.g. "44") used for national phone numbers written with a single
   * leading 0 ("020 7946 0958" → "+442079460958"). Without it such numbers are rejected as ambiguous.
   */
  defaultCountryCode?: string;
}

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const MEMBER_CARD = /^[A-Z0-9]{4,32}$/;
const MESSAGING = /^([a-z0-9_-]{2,20}):([\x21-\x7e]{1,128})$/;

/** The canonical form of an identity value, or InvalidIdentityError saying what is wrong. */
export function normaliseIdentity(kind: IdentityKind, raw: string, opts: NormaliseOptions = {}): string {
  const trimmed = raw.trim();
  switch (kind) {
    case 'email': {
      const email = trimmed.toLowerCase();
      if (email.length > 254 || !EMAIL.test(email)) throw new InvalidIdentityError(kind, 'not an email address');
      return email;
    }
    case 'phone':
      return normalisePhone(trimmed, opts.defaultCountryCode);
    case 'member_card': {
      // Cards are typed from print, with spaces or dashes between groups.
      const card = trimmed.replace(/[\s-]/g, '').toUpperCase();
      if (!MEMBER_CARD.test(card)) throw new InvalidIdentityError(kind, 'expected 4-32 letters or digits');
      return card;
    }
    case 'messaging': {
      // "<app>:<id>"; the app is case-insensitive, the id is not (LINE/WhatsApp ids are case-sensitive).
      const m = MESSAGING.exec(trimmed.replace(/^([^:]+):/, (_, app: string) => `${app.toLowerCase()}:`));
      if (!m) throw new InvalidIdentityError(kind, 'expected "<app>:<id>", e.g. "line:U4af49806"');
      return `${m[1]}:${m[2]}`;
    }
  }
}

/**
 * E.164-ish: "+" and 8-15 digits. Accepts "+", "00" international prefixes and, with a default
 * country code, national numbers with one leading 0. Separators (space . - ( ) /) are dropped.
 */
function normalisePhone(raw: string, defaultCountryCode?: string): string {
  if (!/^[+\d\s().\-/]+$/.test(raw)) throw new InvalidIdentityError('phone', 'only digits, +, spaces and ( ) . - / are allowed');
  const plus = raw.startsWith('+');
  let digits = raw.replace(/\D/g, '');
  if (!plus) {
    if (digits.startsWith('00')) digits = digits.slice(2);
    else if (digits.startsWith('0') && defaultCountryCode) digits = defaultCountryCode + digits.slice(1);
    else throw new InvalidIdentityError('phone', 'write it with a country code, e.g. +44 20 7946 0958');
  }
  if (digits.length < 8 || digits.length > 15 || digits.startsWith('0')) {
    throw new InvalidIdentityError('phone', 'expected a country code and 8-15 digits');
  }
  return `+${digits}`;
}

/** Key of the identity index: one document per (kind, normalised value). */
export function identityKey(kind: IdentityKind, normalisedValue: string): string {
  return `${kind}:${normalisedValue}`;
}

/**
 * What happens when an identity being attached is already held by another live customer:
 * - both claims are verified phones → the phone proves they are one person → merge;
 * - the new claim is verified and the existing one is not → the verified claim wins, the unproven
 *   one is detached from the other customer;
 * - otherwise → conflict (409): ops decide, with a manual merge if it is the same person.
 */
export type IdentityClash = 'merge' | 'take_over' | 'conflict';

export function resolveClash(kind: IdentityKind, incomingVerified: boolean, existingVerified: boolean): IdentityClash {
  if (kind === 'phone' && incomingVerified && existingVerified) return 'merge';
  if (incomingVerified && !existingVerified) return 'take_over';
  return 'conflict';
}
