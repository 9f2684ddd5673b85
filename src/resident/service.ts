import type { Config } from '../config';
import type { CampaignRepo, Campaign, Category, Organizer } from '../campaigns/repo';
import { acceptanceOf, chinaToday, type Acceptance } from '../campaigns/rules';
import type { OutcomeService } from '../issues/outcome';
import type { PlaceRepo } from '../places/repo';
import type { QrCode, QrRepo } from '../qr/repo';
import type { ScanCounter } from '../qr/scan-counter';
import { issueFormToken, submissionKey, verifyFormToken, type FormTokenCheck } from '../submissions/form-token';
import type { SubmissionRepo } from '../submissions/repo';
import type { ResidentForm } from '../submissions/schemas';
import type { CandidateCategory, SubmissionService } from '../submissions/service';
import { removePhoto, storePhotoFile, type PhotoExt } from '../submissions/upload';
import { residentKeyOf } from '../submissions/resident-cookie';
import { RESIDENT_STATUS_LABELS, type IssueStatus } from '../issues/rules';
import { maskPhonesInText } from '../lib/personal-data';

/** The first 40 characters of a text, for a list. */
const excerpt = (text: string) => { const c = Array.from(text); return c.length > 40 ? c.slice(0, 39).join('') + '…' : text; };

const QR_TOKEN_SHAPE = /^[A-Za-z0-9_-]{4,64}$/;
const LOAD_TTL_MS = 1000;
const LOAD_CACHE_MAX = 5000;

/** What a QR token stands for; shared between requests while cached, so never modified. */
export type Loaded = Readonly<{
  qr: QrCode; campaign: Campaign; categories: readonly Category[]; candidates: readonly CandidateCategory[];
  /** The community the poster hangs in (null: a campaign-wide poster), for the board link. */
  communityId: number | null;
  /** Where the poster hangs, as a submission from it records it. */
  place: Readonly<{ communityId: number | null; gridId: number | null; compoundId: number | null }>;
  /** Whom residents can call about this poster: the community's contact, else the campaign's organiser. */
  organizer: Readonly<Organizer>;
}>;

export interface ResidentServiceDeps {
  config: Readonly<Pick<Config, 'uploadsDir'>>;
  secret: string;
  qrCodes: Pick<QrRepo, 'findByToken'>;
  campaigns: Pick<CampaignRepo, 'findById' | 'categories' | 'organizerFor'>;
  places: Pick<PlaceRepo, 'findById'>;
  /** Moves whenever campaigns, QR codes or categories changed (src/db/generation.ts): the cache below is then stale. */
  generation: () => number;
  submissions: Pick<SubmissionRepo, 'findByIdempotencyKey' | 'findLabelledByReceipt' | 'mine'>;
  submissionService: Pick<SubmissionService, 'recordDurably' | 'whenDurable'>;
  outcomes: OutcomeService;
  scanCounter: Pick<ScanCounter, 'record'>;
}

/**
 * The residents' side without HTTP: what a scanned poster stands for, the form token, storing a submission
 * exactly once with its photo, the receipt and the rating. src/resident/routes.ts only parses requests and renders
 * pages. The residents' pages have a folder of their own (as views/resident/ does) because they show what several
 * domains keep: the submission, its issue's outcome, the appeal and the community's board.
 */
export function createResidentService(deps: ResidentServiceDeps) {
  const { secret, qrCodes, campaigns, places, submissions } = deps;
  const photosDir = deps.config.uploadsDir;

  // A scanned poster is read on every GET and POST: keep what its token stands for briefly in memory. The repos
  // bump the generation on every write to these tables, and the short TTL bounds what another process (the CLI)
  // or a raw SQL write could leave stale. Unknown tokens are never kept, so a new code works at once.
  const loaded = new Map<string, { at: number; generation: number; value: Loaded }>();
  /** Reads under way, so that a burst of first scans of one poster reads it once. */
  const reading = new Map<string, Promise<Loaded | undefined>>();

  /** Where the poster hangs decides the community (and grid or compound) a submission belongs to. */
  async function placeOf(qr: QrCode): Promise<{ communityId: number | null; gridId: number | null; compoundId: number | null }> {
    const place = qr.placeId ? await places.findById(qr.placeId) : undefined;
    if (place?.kind === 'community') return { communityId: place.id, gridId: null, compoundId: null };
    if (place?.kind === 'grid') return { communityId: place.parentId, gridId: place.id, compoundId: null };
    if (place?.kind === 'compound') return { communityId: place.parentId, gridId: null, compoundId: place.id };
    return { communityId: null, gridId: null, compoundId: null };
  }

  const cached = (token: string): Loaded | undefined => {
    const hit = loaded.get(token);
    return hit && hit.generation === deps.generation() && Date.now() - hit.at < LOAD_TTL_MS ? hit.value : undefined;
  };

  async function read(token: string): Promise<Loaded | undefined> {
    const at = Date.now();
    const generation = deps.generation();
    const qr = await qrCodes.findByToken(token);
    const campaign = qr && await campaigns.findById(qr.campaignId);
    if (!qr || !campaign) {
      loaded.delete(token);
      return undefined;
    }
    const categories = await campaigns.categories(campaign.id);
    const place = Object.freeze(await placeOf(qr));
    const { communityId } = place;
    const value: Loaded = Object.freeze({
      communityId, place, organizer: Object.freeze(await campaigns.organizerFor(campaign, communityId)),
      qr: Object.freeze(qr), campaign: Object.freeze(campaign), categories: Object.freeze(categories),
      // The campaign's active categories for classify, which would otherwise query them again.
      candidates: Object.freeze(categories.filter((c) => c.active).map((c) => ({ id: c.id, name: c.name }))),
    });
    if (loaded.size >= LOAD_CACHE_MAX) loaded.clear();
    // Kept with the generation seen before reading: a change made meanwhile makes it stale at once.
    loaded.set(token, { at, generation, value });
    return value;
  }

  function readOnce(token: string): Promise<Loaded | undefined> {
    let pending = reading.get(token);
    if (!pending) {
      pending = read(token).finally(() => reading.delete(token));
      reading.set(token, pending);
    }
    return pending;
  }

  return {
    /** The QR code behind a token, its campaign and categories; undefined for an unknown or malformed token. */
    async load(token: string): Promise<Loaded | undefined> {
      if (!QR_TOKEN_SHAPE.test(token)) return undefined;
      return cached(token) ?? readOnce(token);
    },
    /**
     * The same, at once, when it is in memory, else undefined (the fast lane then hands the request to the route,
     * whose `load` reads it). Past its time to live but with no change seen, it is still answered while it is read
     * again, so a busy poster never leaves the fast lane; a change this process saw never is.
     */
    peek(token: string): Loaded | undefined {
      if (!QR_TOKEN_SHAPE.test(token)) return undefined;
      const fresh = cached(token);
      if (fresh) return fresh;
      const hit = loaded.get(token);
      if (!hit || hit.generation !== deps.generation()) return undefined;
      readOnce(token).catch(() => undefined);
      return hit.value;
    },

    /** A form view: counted (in memory, written every few seconds). */
    scanned: (qrCodeId: number) => deps.scanCounter.record(qrCodeId),
    acceptance: (campaign: Campaign): Acceptance => acceptanceOf(campaign, chinaToday()),
    newFormToken: (qrCodeId: number) => issueFormToken(secret, qrCodeId),
    checkFormToken: (token: unknown, qrCodeId: number): FormTokenCheck => verifyFormToken(secret, token, qrCodeId),

    /**
     * Stores one submission from the form, once: a double tap, a retried POST, or the same text sent again from the
     * same phone on the same day (`residentId`, the browser's random cookie) answers with the receipt already given.
     * The photo is on disk (fsynced) before the row that names it exists. Resolves once the row is durably committed.
     */
    async submit(input: {
      loaded: Loaded; form: ResidentForm; formKey: string; residentId: string | null;
      /** The photo as received on disk (src/submissions/photo-multipart.ts); moved into place when stored. */
      photo: { file: string; size: number; ext: PhotoExt } | null;
    }): Promise<{ receiptCode: string; created: boolean }> {
      const { qr, campaign, candidates } = input.loaded;
      const v = input.form;
      // Without the browser's id (cookies off, or a client that keeps none) the form load's key stands alone.
      const sender = input.residentId ? `resident:${qr.id}:${input.residentId}:${chinaToday()}` : input.formKey;
      const idempotencyKey = submissionKey(sender,
        [v.kind, v.category, v.text, v.name, v.phone, v.building, input.photo ? input.photo.size : null]);
      // A retry of a form with a photo already stored: answer with its receipt and write nothing (not even the
      // photo). Without a photo the insert itself finds the earlier row (ON CONFLICT), which spares a query.
      const existing = input.photo ? await submissions.findByIdempotencyKey(idempotencyKey) : undefined;
      if (existing) {
        // Its batch may be committed but still syncing: no receipt before the row is on the disk.
        await deps.submissionService.whenDurable();
        return { receiptCode: existing.receiptCode, created: false };
      }

      const photoFile = input.photo ? await storePhotoFile(photosDir, input.photo.file, input.photo.ext) : null;
      let result;
      try {
        result = await deps.submissionService.recordDurably({
          campaignId: campaign.id, qrCodeId: qr.id, idempotencyKey, kind: v.kind,
          categoryId: v.category, text: v.text, photoFile, residentName: v.name, residentPhone: v.phone,
          building: v.building, ...input.loaded.place, channel: 'online', residentKey: residentKeyOf(input.residentId),
        }, candidates);
      } catch (err) {
        // A batch whose WAL sync failed is committed: its row names the photo, which must stay.
        if (photoFile && !(err as { committed?: boolean }).committed) await removePhoto(photosDir, photoFile);
        throw err;
      }
      // Two taps raced past the check above: the loser's photo is not referenced by any row.
      if (!result.created && photoFile) await removePhoto(photosDir, photoFile);
      return { receiptCode: result.submission.receiptCode, created: result.created };
    },

    /** The submission behind a receipt code (already normalized) with what became of it. */
    async receipt(code: string) {
      const submission = await submissions.findLabelledByReceipt(code);
      return submission ? { submission, outcome: await deps.outcomes.forSubmission(submission) } : undefined;
    },

    /** This phone's own submissions (by the browser's id) with their codes and where each stands; none without an id. */
    async mine(residentId: string | null) {
      const key = residentKeyOf(residentId);
      if (!key) return [];
      return (await submissions.mine(key)).map((r) => ({
        receiptCode: r.receipt_code, kind: r.kind, createdAt: r.created_at, campaignTitle: r.campaign_title,
        excerpt: excerpt(maskPhonesInText(r.text)),
        status: r.declined_at !== null ? '不立项' : r.issue_status ? RESIDENT_STATUS_LABELS[r.issue_status as IssueStatus] : '已收到，等待处理',
      }));
    },
  };
}
export type ResidentService = ReturnType<typeof createResidentService>;
