import { MAX_PASSWORD_LENGTH } from './passwords';

/** Who must rotate: workforce accounts. Customers are exempt (forced rotation of consumer passwords
 * is discouraged by NIST SP 800-63B); service clients use generated secrets, not passwords. */
export const ROTATING_KINDS = ['ops', 'store_staff', 'rider'] as const;

export interface PasswordPolicy {
  minLength: number;
  /** Workforce passwords expire after this many days (0 = never). */
  maxAgeDays: number;
  /** A new password may not equal any of the last N. */
  historySize: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, maxAgeDays: 90, historySize: 5 };

/**
 * A short list of the most used passwords (and retail-flavoured ones) long enough to pass the length
 * rule; the check also catches them with a digit/symbol suffix ("password123!").
 */
const COMMON = new Set([
  'password',
  'passw0rd',
  'password1',
  'qwertyuiop',
  'qwerty',
  'qwertyuiopasdfghjkl',
  'asdfghjkl',
  'iloveyou',
  'letmein',
  'welcome',
  'welcome1',
  'changeme',
  'changemenow',
  'administrator',
  'admin',
  'adminadmin',
  'trustno1',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'starwars',
  'dragon',
  'monkey',
  'master',
  'shadow',
  'michael',
  'whatever',
  'abc',
  'abcdef',
  'abcdefgh',
  'abcdefghijkl',
  'zxcvbnm',
  'onetwothree',
  'secret',
  'topsecret',
  'default',
  'omni',
  'omniretail',
  'retail',
  'store',
  'manager',
  'cashier',
  'summer',
  'winter',
  'spring',
  'autumn',
]);

export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  // One character repeated, or a run of the digit sequence ("123456789012").
  if (
    /^(.)\1*$/u.test(lower) ||
    '12345678901234567890'.includes(lower) ||
    '09876543210987654321'.includes(lower)
  ) {
    return true;
  }
  // The core word without trailing digits/symbols ("Welcome2024!" → "welcome").
  const core = lower.replace(/[\d\W_]+$/u, '');
  return COMMON.has(lower) || COMMON.has(core);
}

/** Reasons the password is refused (empty when acceptable). */
export function passwordProblems(password: string, username: string, policy: PasswordPolicy): string[] {
  const problems: string[] = [];
  if (password.length < policy.minLength) problems.push(`must be at least ${policy.minLength} characters`);
  if (password.length > MAX_PASSWORD_LENGTH)
    problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (isCommonPassword(password)) problems.push('is a commonly used password');
  const user = username.trim().toLowerCase();
  const pw = password.trim().toLowerCase();
  if (user.length > 0 && (pw === user || pw === user.split('@')[0]))
    problems.push('must not equal the username');
  return problems;
}

export function passwordExpiresAt(changedAt: string, policy: PasswordPolicy): number {
  return policy.maxAgeDays > 0
    ? Date.parse(changedAt) + policy.maxAgeDays * 86_400_000
    : Number.POSITIVE_INFINITY;
}
