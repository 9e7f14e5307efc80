import { StoreError } from '@centralita/store';
import type { StoreErrorCode } from '@centralita/store';
import type { HttpErrorCode } from './errors.ts';

/** One offending input field. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** An RFC 9457 problem details body, with Centralita's stable `code` and the offending `field`. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly field?: string;
  readonly errors?: readonly FieldProblem[];
  readonly instance?: string;
  readonly requestId?: string;
  readonly retryAfterS?: number;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error raised on purpose by a route; the error handler renders it as problem details. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly errors: readonly FieldProblem[] | undefined;
  readonly retryAfterS: number | undefined;

  constructor(
    status: number,
    code: HttpErrorCode | StoreErrorCode,
    detail: string,
    extra: { field?: string | undefined; errors?: readonly FieldProblem[]; retryAfterS?: number } = {},
  ) {
    super(detail);
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.errors = extra.errors;
    this.retryAfterS = extra.retryAfterS;
  }
}

const storeStatuses: Record<StoreErrorCode, number> = {
  STORE_NOT_FOUND: 404,
  STORE_CONFLICT: 409,
  STORE_REFERENCE_NOT_FOUND: 422,
  STORE_CONSTRAINT_VIOLATED: 400,
  STORE_INVALID_INPUT: 400,
  STORE_INVALID_STATE: 409,
};

/** Renders an HttpProblem or a StoreError; anything else becomes an opaque 500. */
export function toProblem(error: unknown, instance: string, requestId: string): ProblemDetails {
  if (error instanceof StoreError) {
    error = new HttpProblem(storeStatuses[error.code], error.code, error.message, { field: error.field });
  }
  if (error instanceof HttpProblem) {
    return {
      type: `urn:centralita:error:${error.code}`,
      title: titles[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(error.field !== undefined ? { field: error.field } : {}),
      ...(error.errors !== undefined ? { errors: error.errors } : {}),
      ...(error.retryAfterS !== undefined ? { retryAfterS: error.retryAfterS } : {}),
      instance,
      requestId,
    };
  }
  return {
    type: 'urn:centralita:error:HTTP_INTERNAL',
    title: titles[500] ?? 'Internal Server Error',
    status: 500,
    detail: `Something went wrong on our side. Nothing was saved. If it happens again, give the administrator this request id: ${requestId}`,
    code: 'HTTP_INTERNAL',
    instance,
    requestId,
  };
}

/** `/identities/0/address` -> `identities[0].address`, the way our messages name fields. */
export function fieldFromJsonPointer(pointer: string): string {
  const parts = pointer.split('/').filter((part) => part !== '');
  let field = '';
  for (const part of parts) {
    const decoded = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(decoded)) field += `[${decoded}]`;
    else field += field === '' ? decoded : `.${decoded}`;
  }
  return field;
}
