import type { FieldProblem } from './api-types.ts';

/** An RFC 9457 problem details answer (docs/errors.md), or a network failure. */
export class ApiError extends Error {
  /** The HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** The stable error code, e.g. `HTTP_LOGIN_THROTTLED`. */
  readonly code: string;
  /** Every problem found, each with the path of its field. */
  readonly problems: readonly FieldProblem[];
  /** Seconds to wait before trying again (429 answers). */
  readonly retryAfterS: number | null;

  constructor(
    status: number,
    code: string,
    detail: string,
    problems: readonly FieldProblem[],
    retryAfterS: number | null,
  ) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problems = problems;
    this.retryAfterS = retryAfterS;
  }
}

/** Called when the session has ended (401 on an authenticated call), so the app shows the login again. */
export type SessionEndedListener = () => void;

/** A thin client for the same-origin API: JSON in and out, the CSRF token on every write. */
export class ApiClient {
  #csrfToken: string | null = null;
  readonly #onSessionEnded: SessionEndedListener;

  constructor(onSessionEnded: SessionEndedListener) {
    this.#onSessionEnded = onSessionEnded;
  }

  /** Sets the token sent in `X-CSRF-Token` on unsafe requests (docs/security.md, CSRF). */
  setCsrfToken(token: string | null): void {
    this.#csrfToken = token;
  }

  /** `GET path`, with the query's defined values. */
  get<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) params.set(name, String(value));
    const search = params.toString();
    return this.#send<T>('GET', search === '' ? path : `${path}?${search}`, undefined);
  }

  /** `POST path` with a JSON body. */
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.#send<T>('POST', path, body);
  }

  /** `PATCH path` with a JSON body. */
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.#send<T>('PATCH', path, body);
  }

  /** `DELETE path`. */
  delete<T>(path: string): Promise<T> {
    return this.#send<T>('DELETE', path, undefined);
  }

  /** `PUT path` with a JSON body. */
  put<T>(path: string, body: unknown): Promise<T> {
    return this.#send<T>('PUT', path, body);
  }

  async #send<T>(method: string, path: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.#csrfToken !== null) headers['x-csrf-token'] = this.#csrfToken;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server cannot be reached.', [], null);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): the status alone says what happened.
      parsed = null;
    }
    if (response.ok) return parsed as T;
    const problem = (parsed ?? {}) as {
      code?: string;
      detail?: string;
      field?: string;
      errors?: FieldProblem[];
      retryAfterS?: number;
    };
    const retryHeader = Number(response.headers.get('retry-after'));
    const problems =
      problem.errors ??
      (problem.field === undefined ? [] : [{ field: problem.field, message: problem.detail ?? '' }]);
    const error = new ApiError(
      response.status,
      problem.code ?? `HTTP_${response.status}`,
      problem.detail ?? response.statusText,
      problems,
      problem.retryAfterS ?? (Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader : null),
    );
    if (response.status === 401 && path !== '/api/auth/login' && path !== '/api/auth/me')
      this.#onSessionEnded();
    throw error;
  }
}
