import { sql } from 'kysely';
import { all, run, type Queries } from '../db/engine';
import { dialectOf } from '../db/dialect';

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
 * The audit trail. Callers write it on the same unit of work's `tx` as the change it describes, so a change is
 * never kept without its record.
 */
export function createAuditRepo(on: Queries) {
  return {
    /** The newest account events (logins, failed logins, password changes), newest first. */
    listAccountEvents: async (limit = 500): Promise<AuditEntry[]> => (await all<Row>(on, sql`
      SELECT a.*, u.display_name AS user_name FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
      WHERE a.entity_type = 'user' ORDER BY a.id DESC LIMIT ${limit}`)).map(toEntry),
    async record(e: AuditInput): Promise<void> {
      await run(on, sql`INSERT INTO audit_log (entity_type, entity_id, action, detail, user_id)
        VALUES (${e.entityType}, ${e.entityId}, ${e.action}, ${e.detail ? JSON.stringify(e.detail) : null}, ${e.userId})`);
    },
    listFor: async (entityType: AuditEntityType, entityId: number): Promise<AuditEntry[]> => (await all<Row>(on, sql`
      SELECT a.*, u.display_name AS user_name FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
      WHERE a.entity_type = ${entityType} AND a.entity_id = ${entityId} ORDER BY a.id`)).map(toEntry),
    /** An issue's trail includes the trails of the issues merged into it (recorded as merge rows with fromIssueId). */
    listForIssue: async (issueId: number): Promise<AuditEntry[]> => (await all<Row>(on, sql`
      WITH RECURSIVE ids(id) AS (
        SELECT CAST(${issueId} AS BIGINT)
        UNION
        SELECT ${dialectOf(on).jsonInt(sql.ref('a.detail'), 'fromIssueId')} FROM audit_log a JOIN ids ON a.entity_id = ids.id
        WHERE a.entity_type = 'issue' AND a.action = 'merge'
      )
      SELECT a.*, u.display_name AS user_name FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
      WHERE a.entity_type = 'issue' AND a.entity_id IN (SELECT id FROM ids) ORDER BY a.id`)).map(toEntry),
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;

