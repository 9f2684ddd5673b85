import { isBusy } from '../db/busy';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { DomainError, type DomainErrorKind } from '../lib/errors';
import { HttpError } from './http-error';

/** The one place a domain error becomes an HTTP status. */
export const STATUS_OF: Record<DomainErrorKind, number> = { not_found: 404, not_allowed: 403, invalid: 400, conflict: 409 };

/** The disk or the database is full, or the disk failed: nothing the user did, and it may pass. */
export function isStorageFailure(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_IOERR') || code === 'EIO';
}

/** Another process (an import from the command line) kept the database longer than a request may wait. */
export const BUSY_MESSAGE = '数据库正忙（可能正在导入大批数据），这次操作没有保存。请稍等片刻后再试。';

export const STORAGE_FAILURE_MESSAGE = '服务器的存储空间暂时不足或磁盘出错，这次操作没有保存。请稍后再试；如果一直出现，请联系社区工作人员。';

/** Errors thrown by body parsers and multer carry codes; map them to messages a resident understands. */
function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return new HttpError(STATUS_OF[err.kind], err.message);
  if (isStorageFailure(err)) return new HttpError(503, STORAGE_FAILURE_MESSAGE);
  if (isBusy(err)) return new HttpError(503, BUSY_MESSAGE);
  const e = err as { status?: number; statusCode?: number; type?: string; code?: string; name?: string };
  if (e?.name === 'MulterError') {
    if (e.code === 'LIMIT_FILE_SIZE') return new HttpError(413, '照片太大了。请选择小一些的照片（或用手机截图后再上传）。');
    return new HttpError(400, '上传的内容不正确。请只上传一张照片，然后重新提交。');
  }
  if (e?.type === 'entity.too.large') return new HttpError(413, '提交的内容太长了。请删减一些文字后再提交。');
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new HttpError(400, '提交的内容无法识别。请返回页面重新填写后提交。');
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, '请求无法处理。请返回上一页重新操作。');
  }
  return new HttpError(500, '系统出了点问题，您的操作可能没有完成。请稍后再试；如果一直出现，请联系社区工作人员。');
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(new HttpError(404, '找不到这个页面。请检查链接是否完整，或返回首页。'));
}

export function errorHandler(log: (err: unknown, req: Request) => void = (err) => console.error(err)): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const httpError = toHttpError(err);
    if (httpError.status >= 500) log(err, req);
    if (res.headersSent) return res.end();
    res.status(httpError.status);
    if (req.accepts(['html', 'json']) === 'json' || req.path.startsWith('/api/')) {
      return res.json({ error: httpError.message });
    }
    // Residents on /q/… and /r/… have no home page to go to: send them back to the form or receipt instead.
    const publicPage = /^\/(q|r)\/[^/]+/.exec(req.path);
    const back = publicPage ? { href: publicPage[0], label: publicPage[1] === 'r' ? '返回回执页面' : '返回填写页面' } : { href: '/', label: '返回首页' };
    res.render('errors/error', { title: httpError.status === 404 ? '页面不存在' : '出错了', status: httpError.status, message: httpError.message, back });
  };
}
