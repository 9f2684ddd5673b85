/** 13812345678 → 138****5678. Anything that is not a full mobile number keeps only its first 3 characters. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  if (/^1\d{10}$/.test(phone)) return phone.slice(0, 3) + '****' + phone.slice(7);
  return phone.slice(0, 3) + '****';
}

/** 王秀兰 → 王** ; a one-character name is shown as *. */
export function maskName(name: string | null | undefined): string {
  if (!name) return '';
  const chars = Array.from(name);
  if (chars.length === 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Mainland China mobile numbers: 11 digits starting 13–19. Accepts spaces, dashes and a +86 prefix. */
export function normalizeMobile(input: string): string | null {
  const digits = input.replace(/[\s-]/g, '').replace(/^(\+?86)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/**
 * Mobile numbers a resident typed into free text ("请联系我 138 1234 5678"), however they wrote them: digits
 * alone or grouped with spaces or dashes, with or without +86. Not preceded or followed by another digit.
 */
const MOBILE_IN_TEXT = /(?<![\d+])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)/g;

/**
 * Masks the mobile numbers inside free text, for readers who may not see personal data. Names inside text
 * cannot be found reliably and are left as written (the README says so).
 */
export function maskPhonesInText(text: string | null | undefined): string {
  if (!text) return '';
  return text.replace(MOBILE_IN_TEXT, (m) => {
    const digits = normalizeMobile(m.replace(/^00/, '+'));
    return digits ? maskPhone(digits) : m;
  });
}
