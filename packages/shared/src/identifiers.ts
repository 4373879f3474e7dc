/** Patterns for identifiers that both the browser and the server check. */

/** Indian mobile numbers: 10 digits starting 6–9, stored without the country code. */
export const INDIAN_MOBILE_PATTERN = '^[6-9][0-9]{9}$';

export const OTP_PATTERN = '^[0-9]{6}$';

export const TOTP_PATTERN = '^[0-9]{6}$';

/** Normalises user input such as "+91 98765-43210" to the stored 10-digit form. */
export function normaliseIndianMobile(input: string): string {
  const digits = input.replace(/[^0-9]/g, '');
  if (digits.length === 12 && digits.startsWith('91')) return digits.slice(2);
  if (digits.length === 11 && digits.startsWith('0')) return digits.slice(1);
  return digits;
}
