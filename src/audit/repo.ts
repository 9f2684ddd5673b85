import type { Db } from '../db/open-db';

export type AuditEntityType = 'issue' | 'service_item' | 'submission' | 'user';

export interface AuditInput {
  entityType: AuditEntityType;
  entityId: number;
  /** e.g. status, category, priority, title, reply, create, attach, detach, merge, publish, claim, note, done, withdraw, resolve, close, feedback */
  action: string;
  /** What changed, kept as JSON: usually { from, to } plus labels so the trail reads without lookups. */
  detail?: Record<string, unknown>;
  /** null when a resident (anonymous) or the system acted. */
  userId: number | null;
}

export interface AuditEntry {
  id: number;
  entityType: AuditEntityType;
  entityId: number;
  action: string;
  detail: Record<string, unknown>;
  userId: number | null;
  userName: string | null;
  createdAt: string;
}

interface Row {
  id: number; entity_type: AuditEntityType; entity_id: number; action: string; detail: string | null;
  user_id: number | null; user_name: string | null; created_at: string;
}

function parseDetail(s: string | null): Record<string, unknown> {
  if (!s) return {};
  try { const v = JSON.parse(s) as unknown; return v && typeof v === 'object' ? (v as Record<string, unknown>) : {}; } catch { return {}; }
}
const toEntry = (r: Row): AuditEntry => ({
  id: r.id, entityType: r.entity_type, entityId: r.entity_id, action: r.action, detail: parseDetail(r.detail),
  userId: r.user_id, userName: r.user_name, createdAt: r.created_at,
});

/**
 * The audit trail. Callers write it inside the same db.transaction() as the change it describes, so a change
 * is never kept without its record (better-sqlite3 nests the statement in the caller's transaction).
 */
export function createAuditRepo(db: Db) {
  const insert = db.prepare('INSERT INTO audit_log (entity_type, entity_id, action, detail, user_id) VALUES (?, ?, ?, ?, ?)');
  const forEntity = db.prepare<[string, number], Row>(`
    SELECT a.*, u.display_name AS user_name FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
    WHERE a.entity_type = ? AND a.entity_id = ? ORDER BY a.id`);
  // An issue's trail includes the trails of the issues merged into it (recorded as merge rows with fromIssueId).
  const forIssue = db.prepare<[number], Row>(`
    WITH RECURSIVE ids(id) AS (
      SELECT ?
      UNION
      SELECT CAST(json_extract(a.detail, '$.fromIssueId') AS INTEGER) FROM audit_log a JOIN ids ON a.entity_id = ids.id
      WHERE a.entity_type = 'issue' AND a.action = 'merge'
    )
    SELECT a.*, u.display_name AS user_name FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
    WHERE a.entity_type = 'issue' AND a.entity_id IN (SELECT id FROM ids) ORDER BY a.id`);

  const logins = db.prepare<[number], Row>(`
    SELECT a.*, u.display_name AS user_name FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
    WHERE a.entity_type = 'user' ORDER BY a.id DESC LIMIT ?`);

  return {
    /** The newest account events (logins, failed logins, password changes), newest first. */
    listAccountEvents: (limit = 500) => logins.all(limit).map(toEntry),
    record(e: AuditInput): void {
      insert.run(e.entityType, e.entityId, e.action, e.detail ? JSON.stringify(e.detail) : null, e.userId);
    },
    listFor: (entityType: AuditEntityType, entityId: number) => forEntity.all(entityType, entityId).map(toEntry),
    listForIssue: (issueId: number) => forIssue.all(issueId).map(toEntry),
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
