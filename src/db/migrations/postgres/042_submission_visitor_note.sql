-- The import template's 走访人 (who visited the resident, as written in the sheet: often not an account of this
-- system) and 备注 (e.g. "80岁", "无电话") were read and then dropped. Kept with the submission now; empty for
-- submissions that came another way or were imported before this migration.
ALTER TABLE submissions ADD COLUMN collected_by_name text;
ALTER TABLE submissions ADD COLUMN intake_note text;
