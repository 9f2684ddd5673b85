/** An error a user is meant to see: status plus a Chinese message saying what to do. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly detail?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what = '页面') => new HttpError(404, `找不到这个${what}。请检查链接是否完整，或返回首页。`);
export const forbidden = () => new HttpError(403, '您没有权限查看或修改这项内容。如需权限，请联系街道管理员。');
export const badRequest = (message: string) => new HttpError(400, message);
export const conflict = (message: string) => new HttpError(409, message);
