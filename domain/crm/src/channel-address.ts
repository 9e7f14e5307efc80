import { domainError, err, ok } from '@centralita/kernel';
import type { DomainError, Result } from '@centralita/kernel';
import type { CrmErrorCode } from './errors.ts';
import { normalizeEmail } from './email-address.ts';
import { normalizePhoneNumber } from './phone-number.ts';

/** The kinds of address that identify a customer on a channel. */
export const identityKinds = ['phone', 'email', 'chat', 'whatsapp'] as const;
export type IdentityKind = (typeof identityKinds)[number];

/**
 * Normalises an address for its kind: phone and WhatsApp numbers to E.164, e-mail to lower case,
 * chat ids trimmed. Two spellings of one address always normalise to the same string.
 */
export function normalizeChannelAddress(
  kind: IdentityKind,
  raw: string,
  defaultCountry: string,
  field = 'address',
): Result<string, DomainError<CrmErrorCode>> {
  switch (kind) {
    case 'phone':
    case 'whatsapp':
      return normalizePhoneNumber(raw, defaultCountry, field);
    case 'email':
      return normalizeEmail(raw, field);
    case 'chat': {
      const value = raw.trim();
      if (value.length === 0 || value.length > 320) {
        return err(domainError('CRM_ADDRESS_INVALID', 'a chat id must have 1 to 320 characters', field));
      }
      return ok(value);
    }
  }
}
