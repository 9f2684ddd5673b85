import { openDb } from '../../src/db/open-db';
import { createRateCountRepo } from '../../src/db/rate-counts';
import { createSharedCounts } from '../../src/http/shared-counts';

/** Rate-limit counts shared by the app servers of one database (two servers here: two sharers on one database). */
describe('shared rate-limit counts', () => {
  const db = openDb({ file: ':memory:' });
  const repo = createRateCountRepo(db);
  const sharers: Array<ReturnType<typeof createSharedCounts>> = [];
  const server = (write: (fn: () => void) => void = (fn) => fn()) => {
    const s = createSharedCounts({ repo, write, open: () => db.open, intervalMs: 3_600_000 });
    sharers.push(s);
    return s;
  };
  afterAll(() => { sharers.forEach((s) => s.stop()); db.close(); });

  it('adds what the other servers counted, per limit and client, until their windows end', () => {
    const a = server();
    const b = server();
    // As the routes do at start-up: each server has its limits before the first request.
    for (const s of [a, b]) { s.counts('public'); s.counts('login'); }
    const now = Date.now();
    for (let i = 0; i < 6; i++) a.counts('public').hit('10.0.0.1', now);
    a.counts('login').hit('10.0.0.1', now);
    a.share(now);
    b.share(now);
    expect(b.counts('public').hit('10.0.0.1', now).count).toBe(7);
    expect(b.counts('public').hit('10.0.0.2', now).count).toBe(1);
    expect(b.counts('login').hit('10.0.0.1', now).count).toBe(2);
    // A learns of B's one in turn, and does not count its own published six again.
    b.share(now);
    a.share(now);
    expect(a.counts('public').hit('10.0.0.1', now).count).toBe(6 + 1 + 1);
    // A minute later A's window has ended: B counts only its own.
    const later = now + 60_001;
    b.share(later);
    expect(b.counts('public').hit('10.0.0.1', later).count).toBe(1);
  });

  it('keeps the counts for the next round when the database is busy', () => {
    let busy = true;
    const a = server((fn) => { if (busy) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }); fn(); });
    const b = server();
    b.counts('public');
    const now = Date.now();
    for (let i = 0; i < 3; i++) a.counts('public').hit('10.0.0.9', now);
    a.share(now);
    b.share(now);
    expect(b.counts('public').hit('10.0.0.9', now).count).toBe(1);
    busy = false;
    a.share(now);
    b.share(now);
    expect(b.counts('public').hit('10.0.0.9', now).count).toBe(3 + 2);
  });

  it('stops sharing once its database is closed (an app closed without a shutdown, as in tests)', () => {
    const own = openDb({ file: ':memory:' });
    const errors: unknown[] = [];
    const s = createSharedCounts({
      repo: createRateCountRepo(own), write: (fn) => fn(), open: () => own.open, onError: (err) => errors.push(err), intervalMs: 3_600_000,
    });
    s.counts('public').hit('10.0.0.3');
    own.close();
    s.share();
    expect(errors).toEqual([]);
  });
});
