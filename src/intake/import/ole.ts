/**
 * Old .xls files and password-protected .xlsx files are both OLE compound files (D0 CF 11 E0…). They differ
 * in what they hold: an .xls has a "Workbook" (or "Book") stream, an encrypted .xlsx an "EncryptionInfo" and an
 * "EncryptedPackage" stream. Reading the directory's names is enough to tell them apart.
 */

const ENDOFCHAIN = 0xfffffffa; // and above: free, end of chain, FAT and DIFAT markers

/** Names in the compound file's directory; empty when the directory cannot be followed. */
export function oleEntryNames(buf: Buffer): string[] {
  try {
    const shift = buf.readUInt16LE(0x1e);
    if (shift !== 9 && shift !== 12) return [];
    const size = 1 << shift;
    const sector = (n: number) => (n + 1) * size;
    // The FAT sectors listed in the header (109 of them cover files up to ~7 MB with 512-byte sectors).
    const fatSectors: number[] = [];
    for (let i = 0; i < 109; i++) {
      const s = buf.readUInt32LE(0x4c + i * 4);
      if (s >= ENDOFCHAIN) break;
      fatSectors.push(s);
    }
    const next = (n: number): number => {
      const per = size / 4;
      const fat = fatSectors[Math.floor(n / per)];
      if (fat === undefined || sector(fat) + size > buf.length) return ENDOFCHAIN;
      return buf.readUInt32LE(sector(fat) + (n % per) * 4);
    };
    const names: string[] = [];
    let dir = buf.readUInt32LE(0x30);
    for (let guard = 0; dir < ENDOFCHAIN && guard < 1000; guard++) {
      const at = sector(dir);
      if (at + size > buf.length) break;
      for (let e = at; e < at + size; e += 128) {
        const len = buf.readUInt16LE(e + 0x40);
        if (len >= 2 && len <= 64 && buf[e + 0x42] !== 0) names.push(buf.toString('utf16le', e, e + len - 2));
      }
      dir = next(dir);
    }
    return names;
  } catch {
    return [];
  }
}

/** An .xlsx saved with an opening password (Office's "Encrypt with Password"). */
export function isEncryptedOoxml(buf: Buffer): boolean {
  const names = oleEntryNames(buf);
  if (names.length) return names.some((n) => n === 'EncryptionInfo' || n === 'EncryptedPackage') && !names.some((n) => n === 'Workbook' || n === 'Book');
  // A directory we could not follow: look for the stream name as the directory stores it.
  return buf.includes(Buffer.from('EncryptionInfo', 'utf16le')) && !buf.includes(Buffer.from('Workbook', 'utf16le'));
}
