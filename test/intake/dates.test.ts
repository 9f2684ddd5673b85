import fc from 'fast-check';
import { chinaToday } from '../../src/campaigns/rules';
import { checkCollectionDate, dateAccepted, DATE_MESSAGES, yearBefore, type CampaignDates } from '../../src/intake/rules';
import { loginAs, makeTestApp, type Agent, type TestApp } from '../helpers/app';
import { addDays } from '../helpers/factories';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';

/**
 * Collection dates that make sense (issue 8, item 5): a date before the campaign began, or more than a year
 * ago, is flagged in the import preview, quick entry and meeting entry, and goes in only when confirmed.
 */

describe('the date rule', () => {
  const today = '2026-12-02';
  const spring: CampaignDates = { status: 'open', startsOn: '2026-03-01', endsOn: '2026-03-31' };
  const standing: CampaignDates = { status: 'open', startsOn: '2020-01-01', endsOn: '2099-12-31' };

  it('takes a date inside the campaign and the last year without asking', () => {
    expect(checkCollectionDate(spring, '2026-03-05', today)).toEqual({ block: null, doubts: [] });
    expect(checkCollectionDate(spring, today, today)).toEqual({ block: null, doubts: [] });
  });

  it('flags a date before the campaign began, saying the start date', () => {
    const check = checkCollectionDate(spring, '2026-02-27', today);
    expect(check).toEqual({ block: null, doubts: [{ kind: 'beforeStart', startsOn: '2026-03-01' }] });
    expect(DATE_MESSAGES.reasons(check.doubts)).toBe('早于活动开始日期 2026-03-01');
  });

  it('flags a date more than a year ago: exactly a year is fine, the day before is not', () => {
    expect(checkCollectionDate(standing, '2025-12-02', today).doubts).toEqual([]);
    const check = checkCollectionDate(standing, '2025-12-01', today);
    expect(check.doubts).toEqual([{ kind: 'overAYear' }]);
    expect(DATE_MESSAGES.reasons(check.doubts)).toBe('一年多以前');
    // Both at once, in that order.
    expect(DATE_MESSAGES.reasons(checkCollectionDate(spring, '2023-11-02', today).doubts)).toBe('早于活动开始日期 2026-03-01，一年多以前');
  });

  it('keeps refusing future dates and dates after a closed campaign ended, confirmed or not', () => {
    const future = checkCollectionDate(spring, '2026-12-03', today);
    expect(future.block).toBe('future');
    expect(dateAccepted(future, '2026-12-03', '2026-12-03')).toBe(false);
    const closed = checkCollectionDate({ ...spring, status: 'closed' }, '2026-04-01', today);
    expect(closed.block).toBe('afterClose');
    expect(dateAccepted(closed, '2026-04-01', '2026-04-01')).toBe(false);
    // An open campaign past its end date still takes entries, as before.
    expect(checkCollectionDate(spring, '2026-04-01', today)).toEqual({ block: null, doubts: [] });
  });

  it('accepts a doubtful date only when exactly that date was confirmed', () => {
    const check = checkCollectionDate(spring, '2026-02-27', today);
    expect(dateAccepted(check, '2026-02-27', null)).toBe(false);
    expect(dateAccepted(check, '2026-02-27', '2026-02-26')).toBe(false);
    expect(dateAccepted(check, '2026-02-27', '2026-02-27')).toBe(true);
  });

  it('a year before 29 February is 28 February', () => {
    expect(yearBefore('2028-02-29')).toBe('2027-02-28');
    expect(yearBefore('2026-01-01')).toBe('2025-01-01');
  });

  it('properties: a later date is never more doubtful; a confirmed date goes in unless it is refused', () => {
    const day = fc.date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const campaign = fc.record({ status: fc.constantFrom('open' as const, 'closed' as const), startsOn: day, endsOn: day });
    fc.assert(fc.property(campaign, day, day, day, (c, a, b, now) => {
      const [early, late] = a <= b ? [a, b] : [b, a];
      const e = checkCollectionDate(c, early, now);
      const l = checkCollectionDate(c, late, now);
      if (e.block === null && l.block === null) expect(l.doubts.length).toBeLessThanOrEqual(e.doubts.length);
      expect(dateAccepted(e, early, early)).toBe(e.block === null);
      if (e.block !== null) expect(e.doubts).toEqual([]);
      // Without a confirmation exactly the dates from the later of (start, a year ago) to today go in.
      const floor = c.startsOn > yearBefore(now) ? c.startsOn : yearBefore(now);
      expect(dateAccepted(e, early, null)).toBe(e.block === null && early >= floor);
    }), { numRuns: 500 });
  });
});

describe('dates in the import, quick entry and meeting entry', () => {
  let t: TestApp;
  let f: IntakeFixture;
  const today = chinaToday();
  const start = addDays(today, -10);
  const beforeStart = addDays(today, -20);
  const twoYearsAgo = yearBefore(yearBefore(today));
  const count = (where = '1') => t.db.prepare(`SELECT COUNT(*) FROM submissions WHERE ${where}`).pluck().get() as number;
  const keyFrom = (html: string) => /name="idempotencyKey" value="([^"]+)"/.exec(html)![1];

  beforeEach(() => {
    t = makeTestApp();
    f = createIntakeFixture(t.db);
    // A campaign that began ten days ago, as real ones do (the fixture's began in 2023).
    t.db.prepare('UPDATE campaigns SET starts_on = ?, ends_on = ? WHERE id = ?').run(start, addDays(today, 30), f.campaignId);
  });

  describe('spreadsheet import', () => {
    const CSV = [
      '社区,走访日期,诉求内容',
      `永安社区,${today},路灯不亮`, // row 2: fine
      `永安社区,${beforeStart},井盖松动`, // row 3: before the start
      `永安社区,${twoYearsAgo},楼道堆放杂物`, // row 4: before the start and over a year ago
      `不存在社区,${beforeStart},灯坏了`, // row 5: refused for its community, not asked about its date
      `永安社区,${addDays(today, 1)},电梯坏了`, // row 6: in the future, refused as before
    ].join('\n') + '\n';
    const upload = (agent: Agent) => agent.post(`/intake/import?_csrf=${encodeURIComponent(agent.csrf)}`)
      .field('campaignId', String(f.campaignId)).field('channel', 'door_to_door').attach('file', Buffer.from(CSV), '走访.csv');

    it('lists the rows to check with row number, date and why; unticked, they are rejected by row number and the rest goes in', async () => {
      const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
      const url = (await upload(staff).expect(303)).headers.location as string;
      const preview = (await staff.get(url).expect(200)).text;
      expect(preview).toContain('将新增 <strong>1</strong> 条');
      expect(preview).toContain('日期需要核实 <strong>2</strong> 条');
      expect(preview).toContain(`第 3 行</td><td data-label="日期" class="nowrap">${beforeStart}</td><td data-label="原因">早于活动开始日期 ${start}</td>`);
      expect(preview).toContain(`第 4 行</td><td data-label="日期" class="nowrap">${twoYearsAgo}</td><td data-label="原因">早于活动开始日期 ${start}；一年多以前</td>`);
      expect(preview).not.toMatch(/第 5 行<\/td><td data-label="日期" class="nowrap">/);
      expect(preview).toContain('第 5 行</td><td data-label="原因">社区不存在（“不存在社区”）');
      expect(preview).toContain('第 6 行</td><td data-label="原因">日期晚于今天');
      expect(preview).toContain('name="acceptOldDates" value="1"> 这些日期核实无误，照样导入');
      expect(preview).toContain('不勾选：这 2 行不导入，导入结果会列出它们的行号；其余 1 条照常导入。');
      expect(count()).toBe(0);

      await staff.post(url).type('form').send({ _csrf: staff.csrf }).expect(303);
      const result = (await staff.get(url).expect(200)).text;
      expect(result).toContain('新增 <strong data-imported>1</strong> 条');
      expect(result).toContain(`第 3 行</td><td data-label="原因">日期 ${beforeStart} 早于活动开始日期 ${start}，需要核实，未确认`);
      expect(result).toContain(`第 4 行</td><td data-label="原因">日期 ${twoYearsAgo} 早于活动开始日期 ${start}，一年多以前，需要核实，未确认`);
      expect(result).toContain('日期需要核实的 2 行没有导入（第 3–4 行）。如果核实无误，请重新上传这个文件，并勾选“这些日期核实无误，照样导入”');
      expect(t.db.prepare('SELECT collected_on FROM submissions').pluck().all()).toEqual([today]);
    });

    it('ticked, imports them; uploading the file again adds nothing and asks nothing', async () => {
      const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
      const url = (await upload(staff)).headers.location as string;
      await staff.post(url).type('form').send({ _csrf: staff.csrf, acceptOldDates: '1' }).expect(303);
      const result = (await staff.get(url).expect(200)).text;
      expect(result).toContain('新增 <strong data-imported>3</strong> 条');
      expect(result).toContain('日期需要核实的 2 行已确认无误，照样导入（第 3–4 行）');
      expect(t.db.prepare('SELECT collected_on FROM submissions ORDER BY id').pluck().all()).toEqual([today, beforeStart, twoYearsAgo]);

      const again = (await staff.get((await upload(staff)).headers.location).expect(200)).text;
      expect(again).toContain('将新增 <strong>0</strong> 条');
      expect(again).toContain('已导入过、将跳过 <strong>3</strong> 条');
      expect(again).not.toContain('日期需要核实');
      expect(again).not.toContain('确认导入');
      expect(count()).toBe(3);
    });

    it('a rejected row can be confirmed later by uploading the same file again: only it goes in', async () => {
      const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
      const first = (await upload(staff)).headers.location as string;
      await staff.post(first).type('form').send({ _csrf: staff.csrf }).expect(303);
      expect(count()).toBe(1);
      const second = (await upload(staff)).headers.location as string;
      const preview = (await staff.get(second).expect(200)).text;
      expect(preview).toContain('已导入过、将跳过 <strong>1</strong> 条（第 2 行）');
      expect(preview).toContain('日期需要核实 <strong>2</strong> 条');
      await staff.post(second).type('form').send({ _csrf: staff.csrf, acceptOldDates: '1' }).expect(303);
      expect((await staff.get(second)).text).toContain('新增 <strong data-imported>2</strong> 条');
      expect(count()).toBe(3);
    });
  });

  describe('quick entry', () => {
    const entry = (agent: Agent, fields: Record<string, string>) => {
      let req = agent.post(`/intake?_csrf=${encodeURIComponent(agent.csrf)}`);
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      return req;
    };
    const household = (key: string, collectedOn: string, extra: Record<string, string> = {}) => ({
      campaignId: String(f.campaignId), idempotencyKey: key, channel: 'paper_survey', collectedOn,
      communityId: String(f.communities['永安社区']), gridId: String(f.grids['永安社区/第三网格']),
      residentName: '张建国', residentPhone: '13903716789', text: '单元门声控灯坏了，晚上看不见', ...extra,
    });

    it('sends a date before the campaign back with a message and a checkbox, keeping what was typed; ticked, it saves', async () => {
      const w = await loginAs(t, 'grid_worker', { gridIds: [f.grids['永安社区/第三网格']], canSeePersonalData: true });
      const key = keyFrom((await w.get('/intake').expect(200)).text);
      const asked = await entry(w, household(key, beforeStart));
      expect(asked.status).toBe(400);
      expect(asked.text).toContain(`日期 ${beforeStart} 早于活动开始日期 ${start}，请核对是不是写错了（例如年份）。如果核实无误，请勾选“日期核实无误”后再保存。`);
      expect(asked.text).toContain(`<input type="checkbox" name="confirmDate" value="${beforeStart}" > 日期 ${beforeStart} 核实无误，照样保存`);
      expect(asked.text).toContain('单元门声控灯坏了，晚上看不见</textarea>');
      expect(asked.text).toContain('value="张建国"');
      expect(asked.text).toContain(`value="${beforeStart}"`);
      expect(keyFrom(asked.text)).toBe(key);
      expect(count()).toBe(0);

      const saved = await entry(w, household(key, beforeStart, { confirmDate: beforeStart })).expect(303);
      expect(t.db.prepare('SELECT collected_on FROM submissions').pluck().get()).toBe(beforeStart);
      // The next household from the same stack of forms keeps the date and its confirmation.
      expect(saved.headers.location).toContain(`confirmDate=${beforeStart}`);
      const next = (await w.get(saved.headers.location).expect(200)).text;
      expect(next).toContain(`name="confirmDate" value="${beforeStart}" checked>`);
    });

    it('a confirmation counts for its own date only, and never lets a future date in', async () => {
      const w = await loginAs(t, 'grid_worker', { gridIds: [f.grids['永安社区/第三网格']] });
      const other = await entry(w, household('confirm-other-date-0001', twoYearsAgo, { confirmDate: beforeStart }));
      expect(other.status).toBe(400);
      expect(other.text).toContain(`日期 ${twoYearsAgo} 早于活动开始日期 ${start}，一年多以前，请核对`);
      expect(other.text).toContain(`name="confirmDate" value="${twoYearsAgo}" >`);
      const tomorrow = addDays(today, 1);
      const future = await entry(w, household('confirm-future-date-001', tomorrow, { confirmDate: tomorrow }));
      expect(future.status).toBe(400);
      expect(future.text).toContain('日期不能晚于今天。');
      await entry(w, household('confirm-today-000000001', today)).expect(303); // today needs nothing
      expect(count()).toBe(1);
    });

    it('the JSON endpoint (and so the offline queue) gets the date to confirm, and takes the entry once confirmed', async () => {
      const w = await loginAs(t, 'grid_worker', { gridIds: [f.grids['永安社区/第三网格']] });
      const send = (extra: Record<string, string>) => {
        let req = w.post('/intake/api/entries').set('X-CSRF-Token', w.csrf).set('Accept', 'application/json');
        for (const [k, v] of Object.entries(household('offline-old-date-000001', twoYearsAgo, { _sync: '1', ...extra }))) req = req.field(k, v);
        return req;
      };
      const asked = await send({});
      expect(asked.status).toBe(400);
      expect(asked.body).toMatchObject({ ok: false, confirmDate: twoYearsAgo });
      expect(asked.body.error).toContain('一年多以前');
      expect((await send({ confirmDate: twoYearsAgo })).status).toBe(201);
      expect(count()).toBe(1);
    });
  });

  describe('meeting entry', () => {
    it('sends an old meeting date back with a message and a checkbox, keeping topic and opinions; ticked, it saves', async () => {
      const w = await loginAs(t, 'grid_worker', { gridIds: [f.grids['庆丰社区/第二网格']] });
      const page = await w.get(`/intake/meetings/new?campaign=${f.campaignId}`).expect(200);
      const fields: Record<string, string> = {
        campaignId: String(f.campaignId), idempotencyKey: keyFrom(page.text), rows: '10', heldOn: twoYearsAgo,
        communityId: String(f.communities['庆丰社区']), gridId: String(f.grids['庆丰社区/第二网格']), topic: '停车难恳谈会', action: 'save',
        text_1: '晚上没车位', kind_1: 'suggestion', text_2: '希望划车位线', kind_2: 'suggestion',
      };
      const post = (extra: Record<string, string> = {}) => {
        let req = w.post(`/intake/meetings?_csrf=${encodeURIComponent(w.csrf)}`);
        for (const [k, v] of Object.entries({ ...fields, ...extra })) req = req.field(k, v);
        return req;
      };
      const asked = await post();
      expect(asked.status).toBe(400);
      expect(asked.text).toContain(`会议日期 ${twoYearsAgo} 早于活动开始日期 ${start}，一年多以前，请核对是不是写错了（例如年份）`);
      expect(asked.text).toContain(`name="confirmDate" value="${twoYearsAgo}" > 日期 ${twoYearsAgo} 核实无误，照样保存`);
      expect(asked.text).toContain('value="停车难恳谈会"');
      expect(asked.text).toContain('晚上没车位</textarea>');
      expect(asked.text).toContain('希望划车位线</textarea>');
      expect(t.db.prepare('SELECT COUNT(*) FROM meetings').pluck().get()).toBe(0);

      // "再加 10 行" keeps a ticked box ticked.
      const more = await post({ confirmDate: twoYearsAgo, action: 'more' }).expect(200);
      expect(more.text).toContain(`name="confirmDate" value="${twoYearsAgo}" checked>`);

      const saved = await post({ confirmDate: twoYearsAgo });
      expect(saved.status).toBe(303);
      expect(t.db.prepare("SELECT collected_on FROM submissions WHERE channel = 'meeting'").pluck().all()).toEqual([twoYearsAgo, twoYearsAgo]);
      expect(t.db.prepare('SELECT held_on FROM meetings').pluck().get()).toBe(twoYearsAgo);
    });
  });
});
