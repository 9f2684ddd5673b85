import { campaignAccess, acceptanceNote, datesInOrder, nextStatuses } from '../../src/campaigns/service';
import type { User } from '../../src/auth/roles';
import type { Scope } from '../../src/auth/scope';

const user = (role: User['role'], scopePlaceId: number | null = null): User => ({
  id: 1, username: 'u', displayName: 'u', role, scopePlaceId, claimerKind: null, canSeePersonalData: false, disabled: false,
});
const all: Scope = { communityIds: 'all', gridIds: null };
// Sub-district 10 holds communities 11 and 12; sub-district 20 holds 21.
const subStaff = user('staff', 10);
const subScope: Scope = { communityIds: [11, 12], gridIds: null };
const communityStaff = user('staff', 11);
const communityScope: Scope = { communityIds: [11], gridIds: null };

describe('campaignAccess', () => {
  it('gives admins and unscoped staff everything', () => {
    expect(campaignAccess(user('admin'), all, { subdistrictId: 20 }, [21])).toBe('manage');
    expect(campaignAccess(user('staff'), all, { subdistrictId: null }, [])).toBe('manage');
  });

  it('lets sub-district staff manage their own campaigns and nothing of another office', () => {
    expect(campaignAccess(subStaff, subScope, { subdistrictId: 10 }, [11, 12])).toBe('manage');
    expect(campaignAccess(subStaff, subScope, { subdistrictId: 10 }, [])).toBe('manage');
    expect(campaignAccess(subStaff, subScope, { subdistrictId: 20 }, [21])).toBe('none');
    // A district-wide campaign touching one of their communities: they see it but may not change others' part.
    expect(campaignAccess(subStaff, subScope, { subdistrictId: 20 }, [11, 21])).toBe('view');
  });

  it('lets community staff manage only campaigns confined to their community', () => {
    expect(campaignAccess(communityStaff, communityScope, { subdistrictId: 10 }, [11])).toBe('manage');
    expect(campaignAccess(communityStaff, communityScope, { subdistrictId: 10 }, [11, 12])).toBe('view');
    expect(campaignAccess(communityStaff, communityScope, { subdistrictId: 10 }, [12])).toBe('none');
    expect(campaignAccess(communityStaff, communityScope, { subdistrictId: 10 }, [])).toBe('none');
    expect(campaignAccess(communityStaff, communityScope, { subdistrictId: 20 }, [21])).toBe('none');
  });

  it('never lets a scope-less claimer match a campaign without a sub-district', () => {
    expect(campaignAccess(user('claimer'), { communityIds: [], gridIds: [] }, { subdistrictId: null }, [])).toBe('none');
    expect(campaignAccess(user('grid_worker'), communityScope, { subdistrictId: 10 }, [11])).toBe('view');
  });
});

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
