import { domainError, err, ok } from '@centralita/kernel';
import type { Brand, DomainError, Result } from '@centralita/kernel';
import type { CrmErrorCode } from './errors.ts';

/** An e-mail address trimmed and in lower case, the form Centralita stores and compares. */
export type EmailAddress = Brand<string, 'EmailAddress'>;

// Deliberately simple: one @, a dot in the domain, no spaces. Full RFC 5322 syntax accepts addresses
// that no mail system delivers to; the real check is the mail that arrives.
const emailPattern = /^[^\s@"<>()[\],;:]+@[^\s@"<>()[\],;:]+\.[^\s@"<>()[\],;:]{2,}$/;

/** Normalises an e-mail address (trim, lower case) or says why it is not one. */
export function normalizeEmail(
  raw: string,
  field = 'email',
): Result<EmailAddress, DomainError<CrmErrorCode>> {
  const value = raw.trim().toLowerCase();
  if (value.length > 254 || !emailPattern.test(value)) {
    return err(domainError('CRM_EMAIL_INVALID', `"${raw.trim()}" is not an e-mail address`, field));
  }
  return ok(value as EmailAddress);
}
