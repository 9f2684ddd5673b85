import type { Loaded } from './service';

/** In a fresh form page, where the form token goes; replaced per response (the token is URL-safe, no escaping). */
export const TOKEN_MARK = 'ls-form-token-placeholder';
/** Fresh pages kept per loaded QR code: one per 大字 setting and query string, bounded against made-up queries. */
const PAGES_PER_QR_MAX = 8;

/**
 * A fresh form differs between residents only in its token: it is rendered once per loaded QR code (which is
 * reloaded within a second of any change, src/resident/service.ts) and 大字 setting, and the token is
 * spliced in per response. Shared by the form's Express route, which renders and stores pages, and its fast lane
 * (src/resident/fast-lane.ts), which only sends stored ones.
 */
export class FreshForms {
  private readonly pages = new WeakMap<Loaded, Map<string, readonly [string, string]>>();

  /** Which stored page fits a request: the 大字 setting and the switch's link (which names the page's URL). */
  static key(bigText: boolean, bigTextHref: string): string {
    return `${bigText ? 1 : 0}${bigTextHref}`;
  }

  /** The stored page around its token, if any. */
  get(found: Loaded, key: string): readonly [string, string] | undefined {
    return this.pages.get(found)?.get(key);
  }

  /**
   * Stores a page rendered with TOKEN_MARK as its form token and returns it cut around the token; undefined if the
   * page has no token field. Only the hidden field is cut: a title that happens to contain the marker stays as written.
   */
  store(found: Loaded, key: string, html: string): readonly [string, string] | undefined {
    const field = `name="ft" value="${TOKEN_MARK}"`;
    const at = html.indexOf(field);
    if (at < 0) return undefined;
    const cut = at + field.length - TOKEN_MARK.length - 1;
    const parts = [html.slice(0, cut), html.slice(cut + TOKEN_MARK.length)] as const;
    let pages = this.pages.get(found);
    if (!pages) this.pages.set(found, (pages = new Map()));
    if (pages.size < PAGES_PER_QR_MAX) pages.set(key, parts);
    return parts;
  }
}
