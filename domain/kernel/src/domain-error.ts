/**
 * An expected failure with a stable code from a package's `errors.ts` catalog.
 * `field` is the JSON path of the offending input, when there is one; the HTTP edge turns it into
 * RFC 9457 problem details.
 */
export interface DomainError<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
  readonly field?: string;
}

export function domainError<Code extends string>(
  code: Code,
  message: string,
  field?: string,
): DomainError<Code> {
  return field === undefined ? { code, message } : { code, message, field };
}
