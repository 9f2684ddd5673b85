import iconv from 'iconv-lite';

/**
 * Text of a CSV file as Chinese offices produce it: UTF-8 with or without BOM (WPS, newer Excel),
 * GBK/GB18030 (Excel's "CSV" on a Chinese Windows), or UTF-16 with BOM (Excel's "Unicode text").
 * Valid UTF-8 is taken as UTF-8; anything else is decoded as GB18030, a superset of GBK and GB2312.
 */
export function decodeText(buf: Buffer): { text: string; encoding: 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be' } {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: buf.subarray(3).toString('utf8'), encoding: 'utf-8' };
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { text: iconv.decode(buf.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { text: iconv.decode(buf.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(buf, 'gb18030'), encoding: 'gb18030' };
  }
}

/** Comma, tab (Excel's "text" export) or semicolon: whichever splits the first lines most. */
export function detectDelimiter(text: string): ',' | '\t' | ';' {
  const head = text.slice(0, 4000).split(/\r?\n/).slice(0, 10).join('\n');
  const count = (ch: string) => head.split(ch).length - 1;
  const counts: Array<[',' | '\t' | ';', number]> = [[',', count(',')], ['\t', count('\t')], [';', count(';')]];
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}
