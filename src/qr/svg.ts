import QRCode from 'qrcode';

/**
 * QR codes as SVG (vector, so posters print sharp at any size), remembered per URL in a bounded LRU:
 * a 200-poster sheet is drawn once, and re-printing it costs no QR encoding at all.
 */
export function createQrSvgCache(capacity = 2000) {
  const cache = new Map<string, string>();
  return {
    async svgFor(text: string): Promise<string> {
      const hit = cache.get(text);
      if (hit !== undefined) {
        // Re-insert so the Map's insertion order is least-recently-used first.
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
      cache.set(text, svg);
      if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      return svg;
    },
    get size() { return cache.size; },
  };
}
export type QrSvgCache = ReturnType<typeof createQrSvgCache>;
