import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { domainError, err, ok } from '@centralita/kernel';
import type { Brand, DomainError, Result } from '@centralita/kernel';
import type { CrmErrorCode } from './errors.ts';

/** A phone number in E.164 form (`+34912345678`): the only form Centralita stores or compares. */
export type E164 = Brand<string, 'E164'>;

/** True when `country` is an ISO 3166-1 alpha-2 code the numbering plan knows. */
export function isKnownCountry(country: string): boolean {
  return isSupportedCountry(country);
}

/**
 * Normalises a phone number written any way people write them: `+34 912 345 678`, `0034912345678`,
 * or a national `912 345 678` read with the tenant's default country. International dialling prefixes
 * of the default country (00 in Spain, 011 in the USA) are understood.
 *
 * We accept numbers that are *possible* (right length for the country) rather than only those in the
 * currently allocated ranges: a caller whose operator got a new range must still be identified.
 */
export function normalizePhoneNumber(
  raw: string,
  defaultCountry: string,
  field = 'phone',
): Result<E164, DomainError<CrmErrorCode>> {
  if (!isSupportedCountry(defaultCountry)) {
    return err(
      domainError('CRM_COUNTRY_INVALID', `"${defaultCountry}" is not an ISO 3166 country code`, field),
    );
  }
  const trimmed = raw.trim();
  if (trimmed.length === 0 || trimmed.length > 40 || !/^[-+0-9 ()./]+$/.test(trimmed)) {
    return err(
      domainError(
        'CRM_PHONE_INVALID',
        'a phone number may contain only digits, spaces, + ( ) . / and -',
        field,
      ),
    );
  }
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed?.isPossible()) {
    return err(
      domainError(
        'CRM_PHONE_INVALID',
        `"${trimmed}" is not a possible phone number (write it with its country code, for example +34 912 345 678)`,
        field,
      ),
    );
  }
  const e164: string = parsed.number;
  return ok(e164 as E164);
}
