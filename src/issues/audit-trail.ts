import { ISSUE_STATUS_LABELS, PRIORITY_LABELS, RATING_LABELS, type IssueStatus, type Priority, type Rating } from './rules';
import type { AuditEntry } from '../audit/repo';
import { maskPhonesInText } from '../lib/personal-data';

const str = (v: unknown) => (v === null || v === undefined || v === '' ? '（无）' : String(v));
const status = (v: unknown) => ISSUE_STATUS_LABELS[v as IssueStatus] ?? str(v);
const ids = (v: unknown) => (Array.isArray(v) ? v.map((x) => `#${x}`).join('、') : str(v));

/** How the resident proved the receipt was theirs (src/appeals/rules.ts), recorded with ratings and appeals. */
const PROOF_LABELS: Record<string, string> = { device: '提交意见的手机', phone_last4: '回执码+手机号后四位', demo: '演示数据' };
const proof = (v: unknown) => (typeof v === 'string' ? `〔凭${PROOF_LABELS[v] ?? v}〕` : '');

/**
 * One line of Chinese saying what an audit entry records, for the issue page (and a service item's, src/menu/routes.ts).
 * Here rather than in audit/, which only stores entries: the words are the issue workflow's.
 */
export function describeAudit(e: AuditEntry): string {
  const d = e.detail;
  switch (e.action) {
    case 'create': return `由建议 ${ids(d.submissionIds)} 建立问题`;
    case 'status': return `状态：${status(d.from)} → ${status(d.to)}${d.reason ? `（原因：${str(d.reason)}）` : ''}`;
    case 'category': return `分类：${str(d.fromName)} → ${str(d.toName)}`;
    case 'priority': return `紧急程度：${PRIORITY_LABELS[d.from as Priority] ?? str(d.from)} → ${PRIORITY_LABELS[d.to as Priority] ?? str(d.to)}`;
    case 'title': return `标题：${str(d.from)} → ${str(d.to)}`;
    case 'reply': return `回复居民：${str(d.to)}`;
    case 'attach': return `并入建议 ${ids(d.submissionIds)}`;
    case 'detach': return `拆出建议 #${str(d.submissionId)}${d.toIssueId ? `，成为新问题 #${str(d.toIssueId)}` : '，回到待归类'}`;
    case 'split_from': return `从问题 #${str(d.fromIssueId)} 拆出建议 #${str(d.submissionId)} 建立`;
    case 'merge': return `合并问题 #${str(d.fromIssueId)}「${str(d.fromTitle)}」（建议 ${ids(d.submissionIds)}）`;
    case 'merged_into': return `本问题（#${e.entityId}）并入问题 #${str(d.intoIssueId)}`;
    case 'publish': return `发布到服务菜单：「${str(d.title)}」${d.allowMultiple ? '（可多人认领）' : '（一人认领）'}`;
    case 'create_item': return `新建服务事项「${str(d.title)}」`;
    case 'close': return `关闭服务事项${d.title ? `「${str(d.title)}」` : ''}`;
    case 'claim': return `${str(d.claimerName)} 认领`;
    case 'note': return `${str(d.claimerName)} 添加进展：${str(d.text)}${d.photo ? '（附照片）' : ''}`;
    case 'done': return `${str(d.claimerName)} 标记完成`;
    case 'withdraw': return `${str(d.claimerName)} 退回认领`;
    case 'resolve': return `确认办结（${status(d.from)} → ${status('resolved')}）`;
    case 'decline': return `不立项：${str(d.reason)}`;
    case 'undecline': return '取消不立项，回到待归类';
    case 'feedback': return `居民评价：${RATING_LABELS[d.rating as Rating] ?? str(d.rating)}（建议 #${str(d.submissionId)}）${d.comment ? `：“${maskPhonesInText(str(d.comment))}”` : ''}${proof(d.proof)}`;
    case 'appeal': return `居民申请复核（建议 #${str(d.submissionId)}）：“${maskPhonesInText(str(d.reason))}”${proof(d.proof)}`;
    case 'review': return `复核结论：${d.outcome === 'reopened' ? '重新办理' : '维持原结果'}${d.to ? `（${status(d.from)} → ${status(d.to)}）` : ''}${d.answer ? `，答复：${str(d.answer)}` : ''}`;
    default: return e.action;
  }
}
