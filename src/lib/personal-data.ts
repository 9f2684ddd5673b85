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

/**
 * A rendered page for a reader who may not see personal data, with the mobile numbers masked wherever staff,
 * grid workers, claimers or residents may have written them: text between tags, and the visible attributes
 * (value, title, alt, placeholder, aria-label). Left alone: hidden inputs, links and form targets, which carry
 * tokens and ids, never residents' words. The templates mask resident fields themselves (h.residentText); this
 * is the net under every other free-text field (楼栋, 备注, names, meeting minutes, titles, replies, notes).
 *
 * `keepFormValues`: a refused form (400) shows back what the user just typed; masking the inputs' values and
 * textareas there would make them re-send "138****5678" and lose the number they entered themselves.
 */
export function maskPhonesInHtml(html: string, opts: { keepFormValues?: boolean } = {}): string {
  let inTextarea = false;
  return html.replace(/<[^>]*>|[^<]+/g, (seg) => {
    if (seg[0] !== '<') return inTextarea && opts.keepFormValues ? seg : maskPhonesInText(seg);
    if (/^<textarea\b/i.test(seg)) inTextarea = true;
    else if (/^<\/textarea\b/i.test(seg)) inTextarea = false;
    if (/^<input\b[^>]*\btype="hidden"/i.test(seg)) return seg;
    const attrs = opts.keepFormValues && /^<input\b/i.test(seg) ? 'title|alt|placeholder|aria-label' : 'value|title|alt|placeholder|aria-label';
    return seg.replace(new RegExp(`(\\s(?:${attrs})=")([^"]*)"`, 'gi'), (_m, attr: string, v: string) => `${attr}${maskPhonesInText(v)}"`);
  });
}
