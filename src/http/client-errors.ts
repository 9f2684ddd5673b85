import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests Node rejects before Express sees them (overlong URLs or headers, malformed HTTP) get a short
 * Chinese page too, instead of Node's bare status line.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (err.code === 'ECONNRESET')) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    // server.requestTimeout / headersTimeout ran out (src/server.ts): a slow network, or a client holding on.
    const tooSlow = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = tooLarge ? '431 Request Header Fields Too Large' : tooSlow ? '408 Request Timeout' : '400 Bad Request';
    const text = tooLarge
      ? '链接或请求头太长了，无法处理。请重新扫码，或从社区工作人员给的链接打开。'
      : tooSlow
        ? '网络太慢，内容没能按时传完。请换个信号好的地方，或稍后再提交一次。'
        : '请求格式不正确，无法处理。请返回上一页重新操作。';
    const body = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>无法处理</title><p>${text}</p></html>`;
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
    );
  });
}
