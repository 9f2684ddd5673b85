import { createSettingsRepo } from '../../src/settings/repo';
import { formSecret } from '../../src/settings/service';
import { describeOnEngines } from '../helpers/engines';

describeOnEngines('settings kept in the database', (current) => {
  test('the form secret is made once: every server (and every start) reads the same one', async () => {
    const { engine } = current();
    const [a, b] = await Promise.all([formSecret(engine.queries), formSecret(engine.queries)]);
    expect(a).toMatch(/^[\w-]{40,}$/);
    expect(b).toBe(a);
    expect(await formSecret(engine.queries)).toBe(a);
  });

  test('a value is set, replaced and read back', async () => {
    const settings = createSettingsRepo(current().engine.queries);
    expect(await settings.get('x')).toBeUndefined();
    await settings.set('x', '1');
    await settings.set('x', '2');
    expect(await settings.get('x')).toBe('2');
  });
});
