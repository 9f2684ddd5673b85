import { randomFromAlphabet } from './random';

/** No 0/O, 1/I/L: a resident reads the code out over the phone or copies it from paper. */
export const RECEIPT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const RECEIPT_LENGTH = 8;

export function newReceiptCode(): string {
  return randomFromAlphabet(RECEIPT_ALPHABET, RECEIPT_LENGTH);
}

/** Accepts what a person types: lower case, spaces or a dash in the middle, O for 0 etc. are not guessed. */
export function normalizeReceiptCode(input: string): string | null {
  // NFKC turns full-width letters and digits (ＡＢＣＤ２３４５, typed on a Chinese keyboard) into plain ones.
  const code = input.normalize('NFKC').replace(/[\s\-‐‑‒–—―－ー]/g, '').toUpperCase();
  if (code.length !== RECEIPT_LENGTH) return null;
  for (const ch of code) if (!RECEIPT_ALPHABET.includes(ch)) return null;
  return code;
}

/** ABCD2345 → ABCD-2345, easier to read aloud. */
export function formatReceiptCode(code: string): string {
  return code.slice(0, 4) + '-' + code.slice(4);
}
