import type { Db } from '../db/open-db';

export interface QrCode {
  id: number;
  campaignId: number;
  token: string;
  label: string;
  placeId: number | null;
  scanCount: number;
  createdAt: string;
}

interface Row { id: number; campaign_id: number; token: string; label: string; place_id: number | null; scan_count: number; created_at: string }
const toQr = (r: Row): QrCode => ({
  id: r.id, campaignId: r.campaign_id, token: r.token, label: r.label, placeId: r.place_id, scanCount: r.scan_count, createdAt: r.created_at,
});

export function createQrRepo(db: Db) {
  const byToken = db.prepare<[string], Row>('SELECT * FROM qr_codes WHERE token = ?');
  const byId = db.prepare<[number], Row>('SELECT * FROM qr_codes WHERE id = ?');
  const byCampaign = db.prepare<[number], Row>('SELECT * FROM qr_codes WHERE campaign_id = ? ORDER BY id');
  const insert = db.prepare('INSERT INTO qr_codes (campaign_id, token, label, place_id) VALUES (?, ?, ?, ?)');
  const addScans = db.prepare('UPDATE qr_codes SET scan_count = scan_count + ? WHERE id = ?');
  return {
    findByToken: (token: string) => { const r = byToken.get(token); return r ? toQr(r) : undefined; },
    findById: (id: number) => { const r = byId.get(id); return r ? toQr(r) : undefined; },
    listByCampaign: (campaignId: number) => byCampaign.all(campaignId).map(toQr),
    create: (campaignId: number, token: string, label: string, placeId: number | null) =>
      Number(insert.run(campaignId, token, label, placeId).lastInsertRowid),
    /** Adds buffered scan counts in one transaction. */
    addScans: db.transaction((counts: Map<number, number>) => {
      for (const [id, n] of counts) addScans.run(n, id);
    }),
  };
}
export type QrRepo = ReturnType<typeof createQrRepo>;
