/**
 * Errors that become RFC 9457 problem+json responses. Throw these from handlers and services;
 * the error handler (errors.ts) turns them into `{ type, title, status, detail, instance, requestId }`.
 */
export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `location.lat` or `attributes.size`. */
  field: string;
  message: string;
}

export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extra: { type?: string; errors?: FieldProblem[]; [key: string]: unknown } = {},
  ) {
    super(detail);
  }
}

/** 400: the request is malformed or a field is invalid. */
export class ValidationProblem extends ProblemError {
  constructor(errors: FieldProblem[], detail?: string) {
    super(400, 'Invalid request', detail ?? errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
      type: 'https://samtal.dev/problems/validation',
      errors,
    });
  }
}

export function invalidField(field: string, message: string): ValidationProblem {
  return new ValidationProblem([{ field, message }]);
}

export class NotFoundProblem extends ProblemError {
  constructor(detail = 'Not found') {
    super(404, 'Not found', detail, { type: 'https://samtal.dev/problems/not-found' });
  }
}

export class ConflictProblem extends ProblemError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(409, 'Conflict', detail, { type: 'https://samtal.dev/problems/conflict', ...extra });
  }
}

export class UnprocessableProblem extends ProblemError {
  constructor(detail: string, extra: { errors?: FieldProblem[]; [key: string]: unknown } = {}) {
    super(422, 'Unprocessable request', detail, {
      type: 'https://samtal.dev/problems/unprocessable',
      ...extra,
    });
  }
}

export class UnauthorizedProblem extends ProblemError {
  constructor(detail = 'Authentication required') {
    super(401, 'Unauthorized', detail, { type: 'https://samtal.dev/problems/unauthorized' });
  }
}

export class ForbiddenProblem extends ProblemError {
  constructor(detail = 'Not allowed') {
    super(403, 'Forbidden', detail, { type: 'https://samtal.dev/problems/forbidden' });
  }
}

export class UnavailableProblem extends ProblemError {
  constructor(detail = 'A service this request needs is unavailable; try again shortly') {
    super(503, 'Service unavailable', detail, { type: 'https://samtal.dev/problems/unavailable' });
  }
}
