export const ROLES = ['admin', 'staff', 'grid_worker', 'claimer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: '管理员',
  staff: '街道/社区工作人员',
  grid_worker: '网格员',
  claimer: '认领人（在职党员/共建单位）',
};

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  scopePlaceId: number | null;
  claimerKind: 'member' | 'unit' | null;
  canSeePersonalData: boolean;
  disabled: boolean;
}
