import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { CountryCode } from 'libphonenumber-js/min';
import { useSession } from './session.tsx';

/**
 * A stored number (E.164, `+34612345678`) as people read it: grouped the national way when it belongs to the
 * tenant's country (`612 34 56 78`), the international way otherwise (`+44 20 7946 0958`). Anything that is not
 * a phone number (a SIP address, an e-mail, a withheld caller) is returned as it is.
 */
export function phoneText(value: string, homeCountry: string | undefined): string {
  if (!value.startsWith('+')) return value;
  const parsed = parsePhoneNumberFromString(value);
  if (parsed === undefined) return value;
  return parsed.country !== undefined && parsed.country === (homeCountry as CountryCode | undefined)
    ? parsed.formatNational()
    : parsed.formatInternational();
}

/** `phoneText` with the signed-in tenant's default country. */
export function usePhoneText(): (value: string) => string {
  const { tenant } = useSession();
  const homeCountry = tenant?.defaultCountry;
  return (value) => phoneText(value, homeCountry);
}
