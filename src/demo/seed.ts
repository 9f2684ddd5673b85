import { generatePassword, hashPassword } from '../auth/password';
import { chinaToday } from '../campaigns/rules';
import { createCampaignRepo } from '../campaigns/repo';
import { createUserRepo } from '../auth/repo';
import { createCategoryRepo } from '../categories/repo';
import { createPlaceRepo } from '../places/repo';
import type { Queries } from '../db/engine';
import type { Viewer } from '../access/rules';
import { DEMO_PROBLEMS } from './problems';
import type { AppContext } from '../context';
import { placeLabel } from '../qr/service';
import { createQrRepo } from '../qr/repo';
import { newQrToken } from '../qr/token';
import type { Channel, NewSubmission, SubmissionKind } from '../submissions/types';
import {
  COMMUNITY_POSTER_SPOTS, DEMO_ACCOUNTS, DEMO_CAMPAIGN_DAYS_AFTER, DEMO_CAMPAIGN_DAYS_BEFORE, DEMO_CAMPAIGN_DESCRIPTION,
  DEMO_CAMPAIGN_TITLE, DEMO_CLUSTERS, DEMO_VAGUE_TEXTS, DEMO_COMMUNITIES, DEMO_DISTRICT, DEMO_SUBDISTRICT, GIVEN_NAMES, GRID_NAMES,
  GRID_POSTER_SPOTS, MOBILE_PREFIXES, SURNAMES,
} from './data';
import { issuesStep } from './issues-step';
import { seededRandom, type Random } from './random';
import { createDemoRepo } from './repo';

/**
 * The demo as a list of steps, each safe to run again: it finds what an earlier run made and adds only what
 * is missing. Later features append their own step to DEMO_STEPS (issues, the service menu, claims …) and
 * read what earlier steps left in the DemoState.
 */
export interface DemoCommunityIds { id: number; grids: Map<string, number>; compounds: Map<string, { id: number; noPropertyCompany: boolean }> }

export interface DemoState {
  ctx: AppContext;
  today: string;
  subdistrictId?: number;
  communities: Map<string, DemoCommunityIds>;
  /** username → user id of the demo accounts. */
  accounts: Map<string, number>;
  /** Password and its hash for each demo account still missing, made before the steps run (hashing is asynchronous). */
  preparedPasswords: Map<string, { password: string; hash: string }>;
  /** Demo accounts as viewers, for steps that act as one (read before the step's transaction). */
  viewers: Map<string, Viewer>;
  /** Passwords of accounts created in this run (shown once). */
  newPasswords: Array<{ username: string; password: string; what: string }>;
  campaignId?: number;
  /** QR codes created in this run (they get plausible scan counts once their submissions exist). */
  newQrCodeIds: number[];
}

export interface StepResult { added: number; existing: number; note?: string }
/**
 * `run` is one unit of work, `tx` its transaction: repos that have moved to the asynchronous data layer are built on
 * it (src/db/README.md). `before`, if any, runs before it, outside the transaction (e.g. reading accounts).
 */
export interface DemoStep {
  name: string;
  before?(state: DemoState): Promise<void>;
  run(state: DemoState, tx: Queries): StepResult | Promise<StepResult>;
}

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`demo step order: ${what} is missing`);
  return value;
};

export const placesStep: DemoStep = {
  name: '地点 places (区 → 街道 → 社区 → 网格、楼院)',
  async run(state, tx) {
    const places = createPlaceRepo(tx);
    let added = 0;
    let existing = 0;
    const ensure = async (kind: 'district' | 'subdistrict' | 'community' | 'grid' | 'compound', parentId: number | null, name: string, noProperty = false) => {
      const found = parentId === null ? (await places.findByName(kind, name)) : (await places.findChild(parentId, kind, name));
      if (found) { existing++; return found.id; }
      added++;
      return await places.create(kind, parentId, name, noProperty);
    };
    const district = await ensure('district', null, DEMO_DISTRICT);
    state.subdistrictId = await ensure('subdistrict', district, DEMO_SUBDISTRICT);
    for (const c of DEMO_COMMUNITIES) {
      const id = await ensure('community', state.subdistrictId, c.name);
      const grids = new Map<string, number>();
      for (const g of GRID_NAMES.slice(0, c.grids)) grids.set(g, await ensure('grid', id, g));
      const compounds = new Map<string, { id: number; noPropertyCompany: boolean }>();
      for (const k of c.compounds) compounds.set(k.name, { id: await ensure('compound', id, k.name, !!k.noPropertyCompany), noPropertyCompany: !!k.noPropertyCompany });
      state.communities.set(c.name, { id, grids, compounds });
    }
    return { added, existing };
  },
};

export const accountsStep: DemoStep = {
  name: '演示账号 demo accounts',
  async run(state, tx) {
    const places = createPlaceRepo(tx);
    const users = createUserRepo(tx);
    let added = 0;
    let existing = 0;
    for (const a of DEMO_ACCOUNTS) {
      const found = await users.findByUsername(a.username);
      if (found) { existing++; state.accounts.set(a.username, found.user.id); continue; }
      const { password, hash } = need(state.preparedPasswords.get(a.username), `password for ${a.username}`);
      const scope = a.scope ? (await places.findByName('community', a.scope)) ?? (await places.findByName('subdistrict', a.scope)) : undefined;
      const id = await users.create({
        username: a.username, displayName: a.displayName, role: a.role, passwordHash: hash,
        scopePlaceId: scope?.id ?? null, claimerKind: a.claimerKind ?? null, canSeePersonalData: !!a.personalData,
      });
      if (a.grids) await users.setGrids(id, a.grids.map(([c, g]) => need(state.communities.get(c)?.grids.get(g), `${c} ${g}`)));
      state.accounts.set(a.username, id);
      state.newPasswords.push({ username: a.username, password, what: a.what });
      added++;
    }
    return { added, existing };
  },
};

export const campaignStep: DemoStep = {
  name: `征求意见活动 campaign「${DEMO_CAMPAIGN_TITLE}」`,
  async run(state, tx) {
    const campaigns = createCampaignRepo(tx);
    const found = (await campaigns.list()).find((c) => c.title === DEMO_CAMPAIGN_TITLE);
    if (found) { state.campaignId = found.id; return { added: 0, existing: 1 }; }
    const categoryIds = (await createCategoryRepo(tx).listActive()).map((c) => c.id);
    const campaignId = await campaigns.create({
      subdistrictId: need(state.subdistrictId, 'sub-district'), title: DEMO_CAMPAIGN_TITLE, description: DEMO_CAMPAIGN_DESCRIPTION,
      startsOn: addDays(state.today, -DEMO_CAMPAIGN_DAYS_BEFORE), endsOn: addDays(state.today, DEMO_CAMPAIGN_DAYS_AFTER),
      askPhoto: true, askContact: true, communityIds: [...state.communities.values()].map((c) => c.id), categoryIds,
      // A made-up office number, so demo posters show where the organiser's line goes.
      organizerName: '建中街街道办事处', organizerPhone: '0371-6688 0000',
    }, state.accounts.get('jianzhongjie') ?? null);
    await campaigns.setStatus(campaignId, 'open');
    state.campaignId = campaignId;
    return { added: 1, existing: 0 };
  },
};

export const qrStep: DemoStep = {
  name: '二维码 QR codes (每个社区、每个网格、无主管楼院)',
  async run(state, tx) {
    const campaignId = need(state.campaignId, 'campaign');
    const qrCodes = createQrRepo(tx);
    const places = createPlaceRepo(tx);
    const codes: Array<{ token: string; label: string; placeId: number }> = [];
    for (const [ci, c] of DEMO_COMMUNITIES.entries()) {
      const ids = need(state.communities.get(c.name), c.name);
      const community = (await places.findById(ids.id))!;
      codes.push({ token: newQrToken(), label: `${placeLabel(community, undefined)} ${COMMUNITY_POSTER_SPOTS[ci % COMMUNITY_POSTER_SPOTS.length]}`, placeId: ids.id });
      for (const [gi, gridId] of [...ids.grids.values()].entries()) {
        codes.push({ token: newQrToken(), label: `${placeLabel((await places.findById(gridId))!, community)} ${GRID_POSTER_SPOTS[(ci + gi) % GRID_POSTER_SPOTS.length]}`, placeId: gridId });
      }
      // Compounds without a property company get their own poster at the gate: nobody else will put one up.
      for (const [name, k] of ids.compounds) if (k.noPropertyCompany) codes.push({ token: newQrToken(), label: `${c.name} ${name} 大门口`, placeId: k.id });
    }
    const before = (await qrCodes.listByCampaign(campaignId)).length;
    const ids = await qrCodes.createForFreePlaces(campaignId, codes);
    state.newQrCodeIds.push(...ids);
    return { added: ids.length, existing: before };
  },
};

const OFFLINE_CHANNELS: Array<[Channel, number]> = [['door_to_door', 45], ['meeting', 20], ['paper_survey', 15], ['city_app', 10], ['hotline', 10]];
export const DEMO_ONLINE = 136;
export const DEMO_OFFLINE = 139;

const mobile = (rng: Random) => rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');
const residentName = (rng: Random) => rng.pick(Array.from(SURNAMES)) + rng.pick(GIVEN_NAMES);
const building = (rng: Random) => `${rng.int(1, 24)}号楼${rng.chance(0.7) ? `${rng.int(1, 4)}单元` : ''}`;

/** A moment on a day, China time, as the ISO UTC string the database keeps. */
function chinaMoment(day: string, rng: Random): string {
  const local = new Date(`${day}T${String(rng.int(7, 21)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}.000Z`);
  return new Date(local.getTime() - 8 * 3600 * 1000).toISOString();
}

export const submissionsStep: DemoStep = {
  name: `意见和微心愿 submissions (${DEMO_ONLINE} 线上 online + ${DEMO_OFFLINE} 线下 offline)`,
  async run(state, tx) {
    const { ctx } = state;
    const campaignId = need(state.campaignId, 'campaign');
    const campaign = (await createCampaignRepo(tx).findById(campaignId))!;
    // Its own fixed seed: the same records on every run, whatever the earlier steps did.
    const rng = seededRandom(20261125);
    const categories = new Map((await createCategoryRepo(tx).listActive()).map((c) => [c.name, c.id]));
    const qrCodes = await createQrRepo(tx).listByCampaign(campaignId);
    const placesById = new Map((await createPlaceRepo(tx).list()).map((p) => [p.id, p]));
    const communityOfPlace = (placeId: number | null) => {
      const p = placeId === null ? undefined : placesById.get(placeId);
      if (!p) return { communityId: null, gridId: null, compoundId: null };
      if (p.kind === 'community') return { communityId: p.id, gridId: null, compoundId: null };
      return { communityId: p.parentId, gridId: p.kind === 'grid' ? p.id : null, compoundId: p.kind === 'compound' ? p.id : null };
    };
    // Some posters hang where people pass; most are seen by few.
    const popularity = new Map(qrCodes.map((q) => [q.id, rng.chance(0.25) ? rng.int(4, 9) : rng.int(0, 2)]));
    const lastDay = campaign.endsOn < state.today ? campaign.endsOn : state.today;
    const span = Math.max(0, daysBetween(campaign.startsOn, lastDay));
    // More in the first weeks, when the posters are new and the grid workers make their rounds.
    const day = () => addDays(campaign.startsOn, Math.floor(span * Math.pow(rng.next(), 1.4)));
    const now = new Date().toISOString();
    const lina = state.accounts.get('lina');
    const linaGrids = new Set(lina ? await createUserRepo(tx).gridIds(lina) : []);
    const staff = state.accounts.get('jianzhongjie') ?? null;
    const demoRepo = createDemoRepo(tx);
    const clusters = DEMO_CLUSTERS.flatMap((c) => c.texts.map((text) => ({ ...c, text })));
    const communities = DEMO_COMMUNITIES.filter((c) => state.communities.has(c.name));

    let added = 0;
    let existing = 0;
    const perCode = new Map<number, number>();
    const save = async (input: NewSubmission, createdAt: string) => {
      const { submission, created } = await ctx.submissionService.record(input, tx);
      if (!created) { existing++; return; }
      added++;
      await demoRepo.backdate(submission.id, createdAt < now ? createdAt : now);
      if (input.qrCodeId) perCode.set(input.qrCodeId, (perCode.get(input.qrCodeId) ?? 0) + 1);
    };

    // Residents' words, problem by problem (src/demo/problems.ts), in an order that mixes communities and problems.
    const said = rng.shuffle(DEMO_PROBLEMS.filter((p) => state.communities.has(p.community))
      .flatMap((p) => p.texts.map((text) => ({ community: p.community, text }))));
    const codesIn = (community: string) => {
      const id = state.communities.get(community)?.id;
      return qrCodes.filter((q) => communityOfPlace(q.placeId).communityId === id);
    };
    // Residents pick a category about half the time (the one that fits); otherwise the classifier files it.
    const picked = async (text: string) => (rng.chance(0.45) ? (await ctx.classify.suggest(text, campaignId, tx))[0]?.categoryId ?? null : null);

    const vague = [...DEMO_VAGUE_TEXTS];
    for (let i = 0; i < DEMO_ONLINE; i++) {
      const cluster = i % 17 === 4 ? clusters.shift() : undefined;
      const unclear = !cluster && i % 19 === 10 ? vague.shift() : undefined;
      const words = cluster || unclear ? undefined : said.shift();
      const kind: SubmissionKind = rng.chance(0.2) ? 'wish' : 'suggestion';
      const community = cluster?.community ?? words?.community;
      const code = community
        ? rng.weighted(codesIn(community).length ? codesIn(community) : qrCodes, (q) => 1 + popularity.get(q.id)!)
        : rng.weighted(qrCodes, (q) => 1 + popularity.get(q.id)!);
      const where = communityOfPlace(code.placeId);
      const contact = rng.chance(0.45);
      const text = cluster?.text ?? unclear ?? words?.text ?? '希望社区多关心我们楼';
      await save({
        campaignId, qrCodeId: code.id, idempotencyKey: `demo:${campaignId}:online:${i}`, kind,
        categoryId: cluster ? categories.get(cluster.category) : unclear ? null : await picked(text),
        text,
        residentName: contact && rng.chance(0.5) ? residentName(rng) : null, residentPhone: contact ? mobile(rng) : null,
        building: rng.chance(0.6) ? building(rng) : null, ...where, channel: 'online',
      }, chinaMoment(day(), rng));
    }

    for (let i = 0; i < DEMO_OFFLINE; i++) {
      const cluster = clusters.length && i % 7 === 3 ? clusters.shift() : undefined;
      const words = cluster ? undefined : said.shift();
      const name = cluster?.community ?? words?.community;
      const community = name ? DEMO_COMMUNITIES.find((c) => c.name === name)! : rng.weighted(communities, (c) => c.weight);
      const ids = state.communities.get(community.name)!;
      const gridId = rng.pick([...ids.grids.values()]);
      const compound = cluster ? ids.compounds.get(cluster.compound) : rng.chance(0.6) ? rng.pick([...ids.compounds.values()]) : undefined;
      const channel = rng.weighted(OFFLINE_CHANNELS, ([, w]) => w)[0];
      const kind: SubmissionKind = rng.chance(0.8) ? 'wish' : 'suggestion';
      const text = cluster?.text ?? words?.text ?? '希望社区多关心我们楼';
      const collected = day();
      const named = channel !== 'hotline' || rng.chance(0.5);
      await save({
        campaignId, idempotencyKey: `demo:${campaignId}:offline:${i}`, kind,
        categoryId: cluster ? categories.get(cluster.category) : await picked(text),
        text,
        residentName: named ? residentName(rng) : null, residentPhone: rng.chance(0.8) ? mobile(rng) : null,
        building: building(rng), communityId: ids.id, gridId, compoundId: compound?.id ?? null, channel,
        enteredBy: lina && linaGrids.has(gridId) ? lina : staff, collectedOn: collected,
      }, chinaMoment(addDays(collected, rng.int(0, 2)), rng));
    }

    // Scans: every submission was a scan, and most scans end without one.
    const fresh = new Set(state.newQrCodeIds);
    const scans = new Map<number, number>();
    for (const q of qrCodes) if (fresh.has(q.id)) scans.set(q.id, (perCode.get(q.id) ?? 0) * rng.int(3, 7) + rng.int(2, 30));
    if (scans.size) await createQrRepo(tx).addScans(scans);
    return { added, existing };
  },
};

/** The steps in order; later features push theirs onto the end. */
export const DEMO_STEPS: DemoStep[] = [placesStep, accountsStep, campaignStep, qrStep, submissionsStep, issuesStep];

export async function runDemo(ctx: AppContext, log: (line: string) => void, steps: DemoStep[] = DEMO_STEPS): Promise<DemoState> {
  // Steps are synchronous transactions; the password hashes (asynchronous scrypt) are made before them.
  const preparedPasswords = new Map<string, { password: string; hash: string }>();
  for (const a of DEMO_ACCOUNTS) {
    if (await ctx.users.findByUsername(a.username)) continue;
    const password = generatePassword();
    preparedPasswords.set(a.username, { password, hash: await hashPassword(password) });
  }
  const state: DemoState = {
    ctx, today: chinaToday(), communities: new Map(), accounts: new Map(), viewers: new Map(), newPasswords: [], newQrCodeIds: [], preparedPasswords,
  };
  for (const step of steps) {
    // Each step is one transaction: a crash leaves whole steps, and the next run completes the rest.
    await step.before?.(state);
    const r = await ctx.engine.unitOfWork((tx) => Promise.resolve(step.run(state, tx)));
    log(`${step.name}: 新增 added ${r.added}，已有 existing ${r.existing}${r.note ? `（${r.note}）` : ''}`);
  }
  return state;
}

export function addDays(day: string, n: number): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / 86_400_000);
}
