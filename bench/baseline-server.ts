/**
 * The yardstick for the submit benchmark: a bare Express route doing one better-sqlite3 insert into a table
 * shaped like submissions, with the same WAL mode and synchronous level as the app. Run as a child process.
 */
import express from 'express';
import path from 'node:path';
import Database from 'better-sqlite3';

const dataDir = process.env.DATA_DIR!;
const db = new Database(path.join(dataDir, 'baseline.db'));
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.LINSHENG_SYNCHRONOUS ?? 'FULL'}`);
db.exec(`CREATE TABLE IF NOT EXISTS submissions (
  id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, receipt_code TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  text TEXT NOT NULL, building TEXT, created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`);
const insert = db.prepare('INSERT INTO submissions (campaign_id, receipt_code, kind, text, building) VALUES (?, ?, ?, ?, ?)');
let n = 0;

const app = express();
app.use(express.urlencoded({ extended: false }));
app.post('/submit', (req, res) => {
  const code = `${process.pid}-${++n}`;
  insert.run(1, code, String(req.body.kind ?? 'suggestion'), String(req.body.text ?? ''), String(req.body.building ?? ''));
  res.redirect(303, '/r/' + code);
});
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening on port ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => { db.close(); process.exit(0); }));
