/**
 * The one place where HTTP answers from an API server become error kinds.
 * Everything else asks `isNotFound(err)` and friends and never looks at codes.
 */

/** An error answer from an API server, with its status and Status reason. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: number;
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  /** Seconds the server asked us to wait (429/503 Retry-After), if any. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    code: number;
    reason: string;
    message: string;
    method: string;
    path: string;
    retryAfterSeconds?: number;
  }) {
    super(`${init.method} ${init.path}: ${init.code} ${init.reason}: ${init.message}`);
    this.code = init.code;
    this.reason = init.reason;
    this.method = init.method;
    this.path = init.path;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** Finds an ApiError anywhere in an error's cause chain. */
export function apiErrorOf(err: unknown): ApiError | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 16; depth++) {
    if (e instanceof ApiError) return e;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

const hasCode = (err: unknown, code: number): boolean => apiErrorOf(err)?.code === code;

export const isNotFound = (err: unknown): boolean => hasCode(err, 404);
export const isConflict = (err: unknown): boolean => hasCode(err, 409) && apiErrorOf(err)?.reason !== 'AlreadyExists';
export const isAlreadyExists = (err: unknown): boolean =>
  hasCode(err, 409) && apiErrorOf(err)?.reason === 'AlreadyExists';
export const isGone = (err: unknown): boolean => hasCode(err, 410) || apiErrorOf(err)?.reason === 'Expired';
export const isForbidden = (err: unknown): boolean => hasCode(err, 403);
export const isUnauthorized = (err: unknown): boolean => hasCode(err, 401);
export const isInvalid = (err: unknown): boolean => hasCode(err, 422);
export const isTooManyRequests = (err: unknown): boolean => hasCode(err, 429);

/** Parses a Status body (or anything else) into an ApiError. */
export function apiErrorFromResponse(
  request: { method: string; path: string },
  code: number,
  bodyText: string,
  retryAfter: string | undefined,
): ApiError {
  let reason = statusReason(code);
  let message = bodyText.slice(0, 500);
  try {
    const status: unknown = JSON.parse(bodyText);
    if (typeof status === 'object' && status !== null) {
      const s = status as Record<string, unknown>;
      if (typeof s['reason'] === 'string' && s['reason'] !== '') reason = s['reason'];
      if (typeof s['message'] === 'string') message = s['message'];
    }
  } catch {
    // not a Status object; keep the raw text
  }
  const seconds = retryAfter === undefined ? undefined : Number.parseInt(retryAfter, 10);
  return new ApiError({
    code,
    reason,
    message,
    ...request,
    ...(seconds !== undefined && Number.isFinite(seconds) ? { retryAfterSeconds: seconds } : {}),
  });
}

function statusReason(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Expired',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}

/**
 * A 404 that is about the object `name` itself ("<resource> "<name>" not
 * found"), not about a path the server does not serve (a missing API, an
 * unbound workspace: "the server could not find the requested resource").
 * Only this answer proves that an object is gone.
 */
export function isObjectNotFound(err: unknown, name: string): boolean {
  const api = apiErrorOf(err);
  return api?.code === 404 && api.reason === 'NotFound' && api.message.includes(`"${name}" not found`);
}
