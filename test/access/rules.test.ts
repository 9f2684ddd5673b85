import {
  campaignAccess, campaignSlice, narrowToCommunity, reachesCommunity, reachesRecord, subdistrictSlice, type Reach, type Viewer,
} from '../../src/access/rules';
import type { User } from '../../src/auth/roles';

const user = (role: User['role'], scopePlaceId: number | null = null): User => ({
  id: 1, username: 'u', displayName: 'u', role, scopePlaceId, claimerKind: null, canSeePersonalData: false, disabled: false,
});
const reach = (communityIds: Reach['communityIds'], gridIds: number[] | null = null): Reach => ({ communityIds, gridIds, serves: [], scopeKind: null });
const as = (u: User, r: Reach): Viewer => ({ ...u, reach: r });
const all = reach('all');
// Sub-district 10 holds communities 11 and 12; sub-district 20 holds 21.
const subStaff = user('staff', 10);
const subScope = reach([11, 12]);
const communityStaff = user('staff', 11);
const communityScope = reach([11]);

describe('campaignAccess', () => {
  it('gives admins and unscoped staff everything', () => {
    expect(campaignAccess(as(user('admin'), all), { subdistrictId: 20 }, [21])).toBe('manage');
    expect(campaignAccess(as(user('staff'), all), { subdistrictId: null }, [])).toBe('manage');
  });

  it('lets sub-district staff manage their own campaigns and nothing of another office', () => {
    expect(campaignAccess(as(subStaff, subScope), { subdistrictId: 10 }, [11, 12])).toBe('manage');
    expect(campaignAccess(as(subStaff, subScope), { subdistrictId: 10 }, [])).toBe('manage');
    expect(campaignAccess(as(subStaff, subScope), { subdistrictId: 20 }, [21])).toBe('none');
    // A district-wide campaign touching one of their communities: they see it but may not change others' part.
    expect(campaignAccess(as(subStaff, subScope), { subdistrictId: 20 }, [11, 21])).toBe('view');
  });

  it('lets community staff manage only campaigns confined to their community', () => {
    expect(campaignAccess(as(communityStaff, communityScope), { subdistrictId: 10 }, [11])).toBe('manage');
    expect(campaignAccess(as(communityStaff, communityScope), { subdistrictId: 10 }, [11, 12])).toBe('view');
    expect(campaignAccess(as(communityStaff, communityScope), { subdistrictId: 10 }, [12])).toBe('none');
    expect(campaignAccess(as(communityStaff, communityScope), { subdistrictId: 10 }, [])).toBe('none');
    expect(campaignAccess(as(communityStaff, communityScope), { subdistrictId: 20 }, [21])).toBe('none');
  });

  it('never lets a scope-less claimer match a campaign without a sub-district', () => {
    expect(campaignAccess(as(user('claimer'), reach([], [])), { subdistrictId: null }, [])).toBe('none');
    expect(campaignAccess(as(user('grid_worker'), communityScope), { subdistrictId: 10 }, [11])).toBe('view');
  });
});


describe('slices: who counts, lists and exports which submissions', () => {
  it('gives those who run the whole campaign the submissions without a community too', () => {
    expect(campaignSlice(as(user('admin'), all), 'manage', [1])).toEqual({ campaignIds: [1], communityIds: 'all', includeUnplaced: true, gridIds: null });
    expect(campaignSlice(as(subStaff, subScope), 'manage', [1])).toEqual({ campaignIds: [1], communityIds: [11, 12], includeUnplaced: true, gridIds: null });
    expect(campaignSlice(as(communityStaff, communityScope), 'view', [1]).includeUnplaced).toBe(false);
  });

  it('keeps grid workers to their grids and never hands them unplaced submissions', () => {
    const slice = campaignSlice(as(user('grid_worker'), reach([11], [101])), 'manage', [1]);
    expect(slice).toEqual({ campaignIds: [1], communityIds: [11], includeUnplaced: false, gridIds: [101] });
  });

  it('narrows to one community only inside the reach', () => {
    const slice = campaignSlice(as(subStaff, subScope), 'manage', [1]);
    expect(narrowToCommunity(slice, 11)).toMatchObject({ communityIds: [11], includeUnplaced: false });
    expect(narrowToCommunity(slice, 21)).toMatchObject({ communityIds: [], includeUnplaced: false });
    expect(narrowToCommunity(slice, undefined)).toBe(slice);
  });

  it('opens a sub-district dashboard wholly, partly or not at all', () => {
    expect(subdistrictSlice(as(subStaff, subScope), [11, 12], 10, [1])?.includeUnplaced).toBe(true);
    expect(subdistrictSlice(as(communityStaff, communityScope), [11, 12], 10, [1])).toMatchObject({ communityIds: [11], includeUnplaced: false });
    expect(subdistrictSlice(as(communityStaff, communityScope), [21], 20, [1])).toBeNull();
  });

  it('answers record questions by community, or by grid for grid workers', () => {
    expect(reachesCommunity(all, null)).toBe(true);
    expect(reachesCommunity(communityScope, null)).toBe(false);
    expect(reachesCommunity(communityScope, 11)).toBe(true);
    expect(reachesRecord(reach([11], [101]), 11, 102)).toBe(false);
    expect(reachesRecord(reach([11], [101]), 11, 101)).toBe(true);
  });
});
