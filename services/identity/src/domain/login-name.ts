/**
 * Sign-in names are compared normalised: case-insensitive, Unicode-normalised, and phone numbers
 * without spaces or punctuation ("+49 (30) 123-45" → "+493012345").
 */
export function normaliseLoginName(raw: string): string {
  const s = raw.normalize('NFKC').trim().toLowerCase();
  if (/^\+?[\d\s().-]{6,}$/.test(s)) return (s.startsWith('+') ? '+' : '') + s.replace(/\D/g, '');
  return s;
}

/** Usernames: 3-120 characters of letters, digits and . _ @ + - (emails fit). */
export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@+-]{2,119}$';
