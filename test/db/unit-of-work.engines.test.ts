import { sql } from 'kysely';
import { one, run } from '../../src/db/engine';
import { describeOnEngines } from '../helpers/engines';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeOnEngines('units of work', (current) => {
  test('two that check and then write, at the same time, behave as if one ran after the other', async () => {
    const { engine, exec } = current();
    // "Is the slot free? Then take it": the shape of the last-admin and username-taken checks.
    const take = (who: string) => engine.unitOfWork(async (tx) => {
      const taken = await one<{ n: number }>(tx, sql`SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'slot:%'`);
      await sleep(30);
      if (taken!.n > 0) return false;
      await run(tx, sql`INSERT INTO settings (key, value) VALUES (${`slot:${who}`}, ${who})`);
      return true;
    });
    const results = await Promise.all([take('a'), take('b')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await exec("SELECT key FROM settings WHERE key LIKE 'slot:%'")).toHaveLength(1);
  });

  test('a failure rolls back every statement of the unit of work', async () => {
    const { engine, exec } = current();
    const changed: number[] = [];
    const outcome = await engine.unitOfWork(async (tx) => {
      changed.push(await run(tx, sql`INSERT INTO settings (key, value) VALUES ('one', '1')`));
      changed.push(await run(tx, sql`INSERT INTO settings (key, value) VALUES ('one', '2')`));
    }).then(() => 'committed', (err: unknown) => String((err as Error).message));
    // The second insert breaks the key: the whole unit of work is refused (and says what happened if not).
    expect({ outcome, changed }).toEqual({ outcome: expect.stringMatching(/UNIQUE|unique|duplicate/), changed: [1] });
    expect(await exec("SELECT key FROM settings WHERE key = 'one'")).toEqual([]);
  });

  test('a statement with RETURNING reports the rows it changed on both engines', async () => {
    const { engine } = current();
    expect(await run(engine.queries, sql`INSERT INTO settings (key, value) VALUES ('r1', '1'), ('r2', '2') RETURNING key`)).toBe(2);
    expect(await run(engine.queries, sql`DELETE FROM settings WHERE key LIKE 'r%' RETURNING key`)).toBe(2);
  });
});
