import { AppError } from '@omni/kit';

/**
 * Token-endpoint problems: the problem `type` slug is the OAuth-style error code, also given as the
 * `error` member so OAuth clients find it where they look.
 */
function tokenProblem(
  status: number,
  code: string,
  title: string,
  detail: string,
  headers?: Record<string, string>,
): AppError {
  return new AppError(status, code, title, {
    detail,
    extensions: { error: code },
    headers: status === 401 ? { 'www-authenticate': 'Bearer', ...headers } : headers,
  });
}

export const invalidCredentials = () =>
  tokenProblem(401, 'invalid_grant', 'Not authenticated', 'Invalid username or password');
export const invalidRefreshToken = (detail = 'The refresh token is not valid') =>
  tokenProblem(401, 'invalid_grant', 'Not authenticated', detail);
export const invalidClient = () =>
  tokenProblem(401, 'invalid_client', 'Not authenticated', 'Invalid client id or secret');
export const invalidScope = (detail: string) =>
  tokenProblem(400, 'invalid_scope', 'Request is not valid', detail);
export const invalidRequest = (detail: string) =>
  tokenProblem(400, 'invalid_request', 'Request is not valid', detail);
export const mfaRequired = () =>
  tokenProblem(
    401,
    'mfa_required',
    'Second factor required',
    'This account requires a one-time code (send `totp`)',
  );
export const invalidOtp = () =>
  tokenProblem(401, 'invalid_otp', 'Not authenticated', 'The one-time code is not valid');
export const otpReplayed = () =>
  tokenProblem(
    401,
    'otp_replayed',
    'Not authenticated',
    'This one-time code was already used; wait for the next one',
  );
export const refreshTokenReused = () =>
  tokenProblem(
    401,
    'refresh_token_reused',
    'Not authenticated',
    'This refresh token was already used: the session is revoked, sign in again',
  );
export const accountDisabled = () =>
  tokenProblem(403, 'account_disabled', 'Forbidden', 'The account is disabled');
