/**
 * Calls to the APIs behind the web server's same-origin proxy (/api/<service>/…). Errors come
 * back as RFC 9457 problem+json; `ApiError` keeps the field problems so forms can show them.
 */
export type Service = 'intake' | 'desk' | 'dialogue' | 'insights';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldProblem[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** The staff session's CSRF token, echoed on every change the cookie authorises. */
let csrfToken: string | null = sessionStorage.getItem('samtal.csrf');
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
  if (token) sessionStorage.setItem('samtal.csrf', token);
  else sessionStorage.removeItem('samtal.csrf');
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** A FormData body is sent as multipart as is. */
  form?: FormData;
  headers?: Record<string, string>;
  bearer?: string;
  signal?: AbortSignal;
}

export function apiUrl(service: Service, path: string): string {
  return `/api/${service}${path}`;
}

export async function call<T>(service: Service, path: string, options: CallOptions = {}): Promise<T> {
  const method = options.method ?? (options.body !== undefined || options.form ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(apiUrl(service, path), {
      method,
      headers,
      body: options.form ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network');
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  // A body cut short by an abort is an abort, not an empty answer (the caller ignores aborts).
  const data: unknown = type.includes('json')
    ? await response.json().catch((error: Error) => {
        if (error.name === 'AbortError' || options.signal?.aborted) throw error;
        return null;
      })
    : await response.text();
  if (!response.ok) {
    const problem = (data ?? {}) as {
      detail?: string;
      title?: string;
      errors?: FieldProblem[];
      requestId?: string;
    };
    throw new ApiError(
      response.status,
      problem.detail ?? problem.title ?? response.statusText,
      problem.errors ?? [],
      problem.requestId ?? response.headers.get('x-request-id') ?? undefined,
    );
  }
  return data as T;
}

/** A WebSocket to an API behind the proxy (same origin, so the session cookie goes along). */
export function socketUrl(service: Service, path: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/${service}${path}`;
}
