import { decodeJwt } from 'jose';
import { Authenticator, type AuthenticatorOptions, type Principal } from '@omni/kit';
import type { Restriction } from './access-tokens';

const restrictionsOf = new WeakMap<Principal, Restriction[]>();

/** The restrictions of a principal verified from a restricted token (undefined for full tokens). */
export function restrictionsFor(p: Principal | null | undefined): Restriction[] | undefined {
  return p ? restrictionsOf.get(p) : undefined;
}

/**
 * Identity's own authenticator: full tokens as every service verifies them, plus restricted tokens
 * (audience `restrictedAudience`: expired password, second factor still to enrol) which no other
 * service accepts and identity accepts only on the routes that clear the restriction.
 */
export class IdentityAuthenticator extends Authenticator {
  private readonly restrictedVerifier: Authenticator;

  constructor(
    opts: AuthenticatorOptions,
    private readonly restrictedAudience: string,
  ) {
    super(opts);
    this.restrictedVerifier = new Authenticator({
      ...opts,
      audience: restrictedAudience,
      revocations: this.revocations,
    });
  }

  override async verify(token: string): Promise<Principal> {
    let claims: ReturnType<typeof decodeJwt> | undefined;
    try {
      claims = decodeJwt(token);
    } catch {
      // Not even a JWT: the normal path rejects it with the usual problem.
    }
    if (claims?.aud !== this.restrictedAudience) return super.verify(token);
    const principal = await this.restrictedVerifier.verify(token);
    const restrictions: Restriction[] = [];
    if (claims.pwd_expired === true) restrictions.push('password-change');
    if (claims.mfa_enrolment === true) restrictions.push('mfa-enrolment');
    // A token for the restricted audience is restricted, whatever its claims say.
    restrictionsOf.set(principal, restrictions.length > 0 ? restrictions : ['password-change']);
    return principal;
  }
}
