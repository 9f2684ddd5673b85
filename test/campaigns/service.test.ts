import { acceptanceNote, datesInOrder, nextStatuses } from '../../src/campaigns/service';

describe('campaign rules', () => {
  it('offers only the allowed next statuses', () => {
    expect(nextStatuses('draft')).toEqual([{ to: 'open', label: '开始征集' }]);
    expect(nextStatuses('open')).toEqual([{ to: 'closed', label: '结束征集' }]);
    expect(nextStatuses('closed')).toEqual([{ to: 'open', label: '重新开启' }]);
  });

  it('accepts an end date on or after the start date', () => {
    expect(datesInOrder('2026-01-01', '2026-01-01')).toBe(true);
    expect(datesInOrder('2026-01-01', '2026-12-31')).toBe(true);
    expect(datesInOrder('2026-02-01', '2026-01-31')).toBe(false);
  });

  it('explains to staff what residents will see', () => {
    const c = { startsOn: '2026-03-01', endsOn: '2026-03-31' };
    expect(acceptanceNote('not_started', c)).toContain('2026-03-01');
    expect(acceptanceNote('ended', c)).toContain('2026-03-31');
    expect(acceptanceNote('open', c)).toContain('可以扫码提交');
  });
});
