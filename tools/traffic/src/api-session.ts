import { TrafficError } from './errors.ts';

/** A signed-in user of the demo tenant, as the login answers. */
export interface SessionUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly extension: string | null;
}

/** An answer of the API: its status and its JSON body (null when empty). */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Why `fetch` failed: a refused connection means nothing listens there. */
function unreachable(baseUrl: string, error: unknown): TrafficError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  return new TrafficError(
    'TRAFFIC_SERVER_UNREACHABLE',
    `Cannot reach Centralita at ${baseUrl} (${cause}). Start it first with \`npm start\` (and wait for "Centralita is running"), or give its address with --url.`,
  );
}

/**
 * A session of the HTTP API, signed in with a password (`POST /api/auth/login`): the session cookie on
 * every request and the CSRF token on writes, as the web app does.
 */
export class ApiSession {
  readonly baseUrl: string;
  readonly user: SessionUser;
  /** The `cookie` header value, for the event stream's WebSocket too. */
  readonly cookie: string;
  readonly #csrfToken: string;

  private constructor(baseUrl: string, user: SessionUser, cookie: string, csrfToken: string) {
    this.baseUrl = baseUrl;
    this.user = user;
    this.cookie = cookie;
    this.#csrfToken = csrfToken;
  }

  /** Signs in; throws a `TrafficError` telling what to do when the server is not there or refuses. */
  static async login(
    baseUrl: string,
    credentials: { readonly tenant: string; readonly email: string; readonly password: string },
  ): Promise<ApiSession> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
    } catch (error) {
      throw unreachable(baseUrl, error);
    }
    if (response.status !== 200) {
      throw new TrafficError(
        'TRAFFIC_LOGIN_REFUSED',
        `${baseUrl} refused the demo login ${credentials.email} (HTTP ${String(response.status)}). Is this a Centralita with the demo tenant "${credentials.tenant}"? Load it with \`npx centralita seed demo\`.`,
      );
    }
    const body = (await response.json()) as { csrfToken: string; user: SessionUser };
    const cookie = response.headers
      .getSetCookie()
      .map((value) => value.split(';')[0] ?? '')
      .join('; ');
    return new ApiSession(baseUrl, body.user, cookie, body.csrfToken);
  }

  /** One request; the body is sent as JSON. Network failures become `TrafficError`s. */
  async request(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const headers: Record<string, string> = { cookie: this.cookie };
    if (method !== 'GET') headers['x-csrf-token'] = this.#csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw unreachable(this.baseUrl, error);
    }
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  /**
   * A request that must succeed (a 2xx); otherwise a `TrafficError` naming `what` and the server's
   * explanation. The type parameter is our reading of this API's documented answer.
   */
  async expect<T>(what: string, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request(method, path, body);
    if (answer.status >= 200 && answer.status < 300) return answer.body as T;
    throw new TrafficError(
      'TRAFFIC_API_REFUSED',
      `${what} failed: HTTP ${String(answer.status)}${problemDetail(answer.body)}.`,
    );
  }
}

/** The `detail` of an RFC 9457 problem answer, if there is one. */
export function problemDetail(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const detail =
    (body as { detail?: unknown; message?: unknown }).detail ?? (body as { message?: unknown }).message;
  return typeof detail === 'string' ? ` (${detail})` : '';
}
