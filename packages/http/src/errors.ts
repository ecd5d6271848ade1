import { CaseNotFoundError, InvalidTransitionError } from '@samtal/domain';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { type FieldProblem, ProblemError, ValidationProblem } from './problems.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  [key: string]: unknown;
}

/** postgres.js error codes that mean "the database is not reachable", not "the query is wrong". */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P03',
  '53300',
]);

function fieldOf(path: readonly PropertyKey[] | string, context?: string): string {
  const parts = typeof path === 'string' ? path.split('/').filter(Boolean) : path.map(String);
  const joined = parts.join('.');
  if (!context || context === 'body') return joined || '(body)';
  return joined ? `${context}.${joined}` : context;
}

export function zodFieldProblems(error: ZodError, context?: string): FieldProblem[] {
  return error.issues.map((issue) => ({ field: fieldOf(issue.path, context), message: issue.message }));
}

function problemFrom(error: ProblemError, base: { instance: string; requestId: string }): ProblemBody {
  const { type, ...extra } = error.extra;
  return {
    type: type ?? 'about:blank',
    title: error.title,
    status: error.status,
    detail: error.message,
    ...extra,
    ...base,
  };
}

/** Turns any error into a problem body; 5xx never reveal internal messages. */
export function toProblem(error: unknown, request: FastifyRequest): ProblemBody {
  const base = { instance: request.url, requestId: String(request.id) };
  if (error instanceof ProblemError) return problemFrom(error, base);
  if (error instanceof InvalidTransitionError) {
    return {
      type: 'https://samtal.dev/problems/invalid-transition',
      title: 'Conflict',
      status: 409,
      detail: error.message,
      from: error.from,
      action: error.action,
      ...base,
    };
  }
  if (error instanceof CaseNotFoundError) {
    return {
      type: 'https://samtal.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: 'No such case',
      ...base,
    };
  }
  if (error instanceof ZodError) return problemFrom(new ValidationProblem(zodFieldProblems(error)), base);
  const fastifyError = error as FastifyError & { code?: string };
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    const context = fastifyError.validationContext;
    const errors = fastifyError.validation.map((v) => ({
      field: fieldOf(v.instancePath, context),
      message: v.message ?? 'is invalid',
    }));
    return problemFrom(new ValidationProblem(errors), base);
  }
  // drizzle 0.45 wraps driver errors in a DrizzleQueryError whose `cause` carries the code.
  const causeCode = (fastifyError as { cause?: { code?: unknown } }).cause?.code;
  if (
    (fastifyError.code && unavailableCodes.has(fastifyError.code)) ||
    (typeof causeCode === 'string' && unavailableCodes.has(causeCode))
  ) {
    return {
      type: 'https://samtal.dev/problems/unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'The database is unavailable; nothing was saved. Try again shortly.',
      ...base,
    };
  }
  const status =
    typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400
      ? fastifyError.statusCode
      : 500;
  if (status < 500) {
    // Fastify's own client errors: malformed JSON, wrong content type, body too large, rate limit …
    const field = fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'content-type' : '(body)';
    return {
      type: 'about:blank',
      title: titleFor(status),
      status,
      detail: fastifyError.message,
      ...(fastifyError.code ? { code: fastifyError.code } : {}),
      errors: [{ field, message: fastifyError.message }],
      ...base,
    };
  }
  return {
    type: 'about:blank',
    title: 'Internal server error',
    status,
    detail: 'Something went wrong on our side. Quote the request id if you contact us.',
    ...base,
  };
}

function titleFor(status: number): string {
  const titles: Record<number, string> = {
    400: 'Invalid request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not found',
    405: 'Method not allowed',
    406: 'Not acceptable',
    409: 'Conflict',
    413: 'Payload too large',
    415: 'Unsupported media type',
    422: 'Unprocessable request',
    429: 'Too many requests',
  };
  return titles[status] ?? 'Request error';
}

export function sendProblem(reply: FastifyReply, problem: ProblemBody): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** One error handler and one not-found handler for every service. */
export const problemHandler = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error, request, reply) => {
      const problem = toProblem(error, request);
      if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ status: problem.status, detail: problem.detail }, 'request rejected');
      return sendProblem(reply, problem);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, {
        type: 'https://samtal.dev/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: `No route ${request.method} ${request.url.split('?')[0]}`,
        instance: request.url,
        requestId: String(request.id),
      }),
    );
  },
  { name: 'samtal-problems' },
);
