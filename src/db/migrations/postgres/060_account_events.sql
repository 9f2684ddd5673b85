-- Logins, failed logins and password changes go to audit_log with entity_type 'user' (entity_id 0 when the
-- username is unknown). The admin's "登录记录" page lists the newest of them: this index serves that query.
CREATE INDEX audit_log_type_id ON audit_log(entity_type, id);
