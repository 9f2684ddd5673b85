// The other half of ./sync-pg.ts: runs each query it is sent on its own PostgreSQL connection and wakes the waiting
// test thread. Plain JavaScript, so a worker starts without the TypeScript compiler; the template's migrations (the
// app's own runner) load through ./ts-register.js only when asked for.
'use strict';
const { workerData } = require('node:worker_threads');
const pg = require('pg');

const { port, flag, url } = workerData;
// int8 (ids, COUNT) and numeric as numbers, as the app's pool reads them (src/db/postgres/pool.ts).
const asNumber = (text) => Number(text);
const types = {
  getTypeParser(oid, format) {
    if (format !== 'binary' && (oid === 20 || oid === 1700)) return asNumber;
    return pg.types.getTypeParser(oid, format);
  },
};
const client = new pg.Client({ connectionString: url, types, application_name: 'linsheng-test-fixtures' });
// A fixture waiting on a lock the app holds would wait for ever (the app's thread is the one waiting here): fail.
const ready = client.connect().then(() => client.query("SET statement_timeout = '20s'"));
// A failed connect is reported by the query that waits for it; closed before any query, nobody waits for it.
ready.catch(() => undefined);
client.on('error', () => undefined);

async function answer(message) {
  await ready;
  if (message.migrate) {
    require('./ts-register.js');
    const { migratePostgres } = require('../../src/db/postgres/migrate.ts');
    const pool = new pg.Pool({ connectionString: message.migrate, max: 1 });
    try { await migratePostgres(pool); } finally { await pool.end(); }
    return { rows: [], rowCount: 0 };
  }
  const r = await client.query(message.sql, message.params);
  const last = Array.isArray(r) ? r[r.length - 1] : r;
  return { rows: last.rows ?? [], rowCount: last.rowCount ?? 0 };
}

port.on('message', (message) => {
  if (message.end) {
    // Ended while still authenticating, pg sends Terminate mid-handshake and the connect fails ("expected SASL
    // response"): let the connect settle first.
    ready.catch(() => undefined).then(() => client.end()).finally(() => { Atomics.store(flag, 0, message.seq); Atomics.notify(flag, 0); port.close(); });
    return;
  }
  answer(message).then(
    (reply) => reply,
    (err) => ({ error: { message: err.message, code: err.code } }),
  ).then((reply) => {
    // The answer first: the waiting thread takes the flag's seq as "on the port now" (./sync-pg.ts).
    port.postMessage(reply);
    Atomics.store(flag, 0, message.seq);
    Atomics.notify(flag, 0);
  });
});
