/**
 * The demo case: 二七区 → 建中街街道 with its 15 communities, modelled on the real campaign (15 communities,
 * 163 QR codes, 136 suggestions online, 139 small wishes offline). The first five communities and the compounds
 * of the door-to-door sample (../shared/data/door-to-door-sample.csv) are real names, so that sample imports
 * cleanly into the demo; the other communities are invented but plausible for old 郑州 neighbourhoods.
 */
export const DEMO_DISTRICT = '二七区';
export const DEMO_SUBDISTRICT = '建中街街道';
export const DEMO_CAMPAIGN_TITLE = '2026年冬季“我为群众办实事”征求意见';
export const DEMO_CAMPAIGN_DESCRIPTION =
  '街坊邻居们好！身边有什么烦心事、操心事、揪心事，或者一个小小的心愿，都可以告诉我们。'
  + '社区会把大家的意见整理成问题清单，请在职党员和共建单位认领办理，办理结果可以凭回执码查看。';
/** Days the campaign has been running when the demo is first loaded, and days it still has to go. */
export const DEMO_CAMPAIGN_DAYS_BEFORE = 40;
export const DEMO_CAMPAIGN_DAYS_AFTER = 35;

export interface DemoCompound { name: string; noPropertyCompany?: boolean }
export interface DemoCommunity { name: string; grids: number; compounds: DemoCompound[]; weight: number }

/** weight: how many residents take part, relative (bigger compounds, more active committees). */
export const DEMO_COMMUNITIES: DemoCommunity[] = [
  { name: '铁路陇海家园社区', grids: 5, weight: 1.4, compounds: [{ name: '陇海家园' }, { name: '铁路职工家属院', noPropertyCompany: true }, { name: '陇海西路17号院', noPropertyCompany: true }] },
  { name: '庆丰社区', grids: 4, weight: 1.2, compounds: [{ name: '庆丰小区' }, { name: '庆丰东院', noPropertyCompany: true }, { name: '庆丰街6号院', noPropertyCompany: true }] },
  { name: '交通路社区', grids: 4, weight: 1.3, compounds: [{ name: '交通路32号院', noPropertyCompany: true }, { name: '交通路8号院', noPropertyCompany: true }, { name: '运输公司家属院', noPropertyCompany: true }, { name: '交通花园' }] },
  { name: '永安社区', grids: 6, weight: 1.5, compounds: [{ name: '永安里小区' }, { name: '永安南院', noPropertyCompany: true }, { name: '永安街11号院', noPropertyCompany: true }] },
  { name: '建华社区', grids: 4, weight: 1.1, compounds: [{ name: '建华北院' }, { name: '建华南院', noPropertyCompany: true }, { name: '建华苑' }] },
  { name: '建中街社区', grids: 3, weight: 0.8, compounds: [{ name: '建中街15号院', noPropertyCompany: true }, { name: '建中小区' }] },
  { name: '民主路社区', grids: 4, weight: 0.9, compounds: [{ name: '民主路5号院', noPropertyCompany: true }, { name: '纺织厂家属院', noPropertyCompany: true }] },
  { name: '大同路社区', grids: 3, weight: 0.7, compounds: [{ name: '大同小区' }, { name: '大同路21号院', noPropertyCompany: true }] },
  { name: '兴华社区', grids: 5, weight: 1.0, compounds: [{ name: '兴华苑' }, { name: '兴华北街3号院', noPropertyCompany: true }, { name: '电力家属院', noPropertyCompany: true }] },
  { name: '福华街社区', grids: 4, weight: 0.8, compounds: [{ name: '福华里' }, { name: '福华街9号院', noPropertyCompany: true }] },
  { name: '长乐社区', grids: 3, weight: 0.6, compounds: [{ name: '长乐苑' }, { name: '粮食局家属院', noPropertyCompany: true }] },
  { name: '人和社区', grids: 5, weight: 1.0, compounds: [{ name: '人和家园' }, { name: '人和路12号院', noPropertyCompany: true }, { name: '百货楼家属院', noPropertyCompany: true }] },
  { name: '解放路社区', grids: 6, weight: 1.2, compounds: [{ name: '解放路48号院', noPropertyCompany: true }, { name: '解放小区' }, { name: '邮电家属院', noPropertyCompany: true }] },
  { name: '工人新村社区', grids: 5, weight: 1.1, compounds: [{ name: '工人新村一区', noPropertyCompany: true }, { name: '工人新村二区', noPropertyCompany: true }, { name: '机械厂宿舍', noPropertyCompany: true }] },
  { name: '嵩山南路社区', grids: 4, weight: 0.9, compounds: [{ name: '嵩山花园' }, { name: '嵩南小区' }] },
];

export const GRID_NAMES = ['第一网格', '第二网格', '第三网格', '第四网格', '第五网格', '第六网格'];

/** Where the posters hang. */
export const COMMUNITY_POSTER_SPOTS = ['党群服务中心门口', '居委会公告栏', '社区广场宣传栏'];
export const GRID_POSTER_SPOTS = ['单元门口公告栏', '楼院大门宣传栏', '便民服务点', '小区门岗'];

export const SURNAMES = '王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
export const GIVEN_NAMES = ['秀兰', '建国', '桂芳', '明', '丽', '大海', '文华', '小红', '涛', '静', '晓燕', '志强', '芳', '春梅',
  '国庆', '玉兰', '建华', '淑珍', '德胜', '红霞', '伟', '娜', '磊', '敏', '强', '军', '凤英', '海燕', '振华', '桂兰', '金凤',
  '卫东', '新民', '爱华', '丽娟', '俊峰', '雪梅', '宏伟', '慧', '子涵', '浩然', '欣怡'];
export const MOBILE_PREFIXES = ['138', '139', '137', '136', '135', '150', '151', '152', '158', '159', '186', '187', '188', '155', '156', '176', '177', '189', '180', '183'];

/**
 * A few problems many residents report in their own words, so the issue list has real duplicates to merge
 * (twenty people and one broken lift).
 */
export const DEMO_CLUSTERS: Array<{ community: string; compound: string; category: string; texts: string[] }> = [
  {
    community: '建华社区', compound: '建华北院', category: '设施维修', texts: [
      '建华北院2号楼电梯又坏了，老人上下楼太难了',
      '2号楼电梯三天两头停运，请尽快修好',
      '我们2号楼的电梯坏了一个星期了，没人管',
      '电梯困人了！2号楼电梯必须彻底检修',
      '2号楼电梯坏了，住十几楼的老人下不来',
      '希望尽快修好2号楼的电梯',
    ],
  },
  {
    community: '交通路社区', compound: '交通路32号院', category: '环境卫生', texts: [
      '32号院的垃圾好几天没人拉，堆成小山了',
      '交通路32号院没有物业，垃圾没人清运，太臭了',
      '院里垃圾堆满了，夏天苍蝇成群',
      '32号院垃圾清运不及时，希望社区协调',
      '院子里垃圾没人管，味道特别大',
    ],
  },
  {
    community: '永安社区', compound: '永安里小区', category: '安全隐患', texts: [
      '永安里小区5号楼有人从窗户拉电线给电动车充电',
      '5号楼飞线充电很多，晚上电线挂得到处都是',
      '希望在永安里小区装充电桩，杜绝飞线充电',
      '楼道里停电动车充电，太危险了，5号楼',
    ],
  },
];

export interface DemoAccount {
  username: string; displayName: string; role: 'staff' | 'grid_worker' | 'claimer';
  scope?: string; grids?: Array<[community: string, grid: string]>; claimerKind?: 'member' | 'unit'; personalData?: boolean;
  what: string;
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { username: 'jianzhongjie', displayName: '建中街街道 刘敏', role: 'staff', scope: DEMO_SUBDISTRICT, personalData: true, what: '街道工作人员，管理全部 15 个社区' },
  { username: 'yongan', displayName: '永安社区 宋佳', role: 'staff', scope: '永安社区', what: '社区工作人员，只看永安社区（手机号打码）' },
  { username: 'lina', displayName: '网格员 李娜', role: 'grid_worker', grids: [['永安社区', '第三网格'], ['永安社区', '第一网格']], personalData: true, what: '网格员，录入永安社区第一、第三网格' },
  { username: 'dangyuan', displayName: '在职党员 张伟', role: 'claimer', claimerKind: 'member', what: '在职党员（双报到），认领服务' },
  { username: 'sifaju', displayName: '二七区司法局', role: 'claimer', claimerKind: 'unit', what: '共建单位，认领法律服务' },
];

/** Vague texts as residents really write some of them: the classifier is unsure and they wait in the triage inbox. */
export const DEMO_VAGUE_TEXTS = [
  '感觉这两年小区越来越不方便了',
  '家门口那块地方能不能弄一弄',
  '院里的事情没人管',
  '小区大门口的那个问题希望解决',
  '晚上七八点的时候特别乱',
  '希望多来我们楼看看',
  '老问题了，年年说年年不办',
];
