import type { RequestHandler } from 'express';
import { maskPhone, maskName, maskPhonesInHtml, maskPhonesInText } from '../lib/personal-data';
import { formatReceiptCode } from '../lib/receipt-code';

/** Small display helpers every template may use; templates only format, they never query. */
export const helpers = {
  maskPhone,
  maskName,
  /** Resident-written text (and titles made from it): as written for readers of personal data, else phones masked. */
  residentText: (text: string | null | undefined, full: boolean): string => (full ? text ?? '' : maskPhonesInText(text)),
  /** A resident's name and phone as this reader may see them (`full`: res.locals.seesPersonalData). */
  residentName: (name: string | null | undefined, full: boolean): string => (full ? name ?? '' : maskName(name)),
  residentPhone: (phone: string | null | undefined, full: boolean): string => (full ? phone ?? '' : maskPhone(phone)),
  /** Receipt codes look the same everywhere: ABCD-2345. */
  receiptCode: (code: string | null | undefined) => (code ? formatReceiptCode(code) : ''),
  /** ISO timestamp → "2026-11-25 16:20" in China time, which is what staff and residents read. */
  dateTime(iso: string | null | undefined): string {
    if (!iso) return '';
    const d = new Date(iso.includes('T') || iso.endsWith('Z') ? iso : iso.replace(' ', 'T') + 'Z');
    if (Number.isNaN(d.getTime())) return iso;
    const cn = new Date(d.getTime() + 8 * 3600 * 1000);
    return cn.toISOString().slice(0, 16).replace('T', ' ');
  },
  /** Builds a query string from an object, dropping empty values. */
  qs(params: Record<string, unknown>): string {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
    const s = u.toString();
    return s ? '?' + s : '';
  },
};

export function viewHelpers(): RequestHandler {
  return (req, res, next) => {
    res.locals.h = helpers;
    res.locals.currentPath = req.path;
    res.locals.title = res.locals.title ?? '邻声';
    next();
  };
}

type RenderCallback = (err: Error | null, html: string) => void;

/**
 * For a logged-in reader who may not see personal data, every rendered page passes through maskPhonesInHtml, so a
 * phone number typed into any free-text field (楼栋, 备注, 走访人, meeting minutes, import remarks, titles, replies,
 * claimers' notes) reaches them masked, including fields a template forgets to mask. Runs after loadSession.
 */
export function maskPagesForMaskedReaders(): RequestHandler {
  return (req, res, next) => {
    if (!req.user || res.locals.seesPersonalData) return next();
    const render = res.render.bind(res) as (view: string, options: object, cb: RenderCallback) => void;
    res.render = ((view: string, options?: object | RenderCallback, cb?: RenderCallback) => {
      const callback = typeof options === 'function' ? options : cb;
      const opts = typeof options === 'function' || options === undefined ? {} : options;
      render(view, opts, (err, html) => {
        const mask = (page: string) => maskPhonesInHtml(page, { keepFormValues: res.statusCode === 400 });
        if (callback) return callback(err, err ? html : mask(html));
        if (err) return req.next!(err);
        res.send(mask(html));
      });
    }) as typeof res.render;
    next();
  };
}
