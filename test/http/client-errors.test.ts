import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { answerClientErrors } from '../../src/http/client-errors';

/** What Node refuses before any route sees the request gets a short Chinese page with the right status. */
describe('requests Node refuses itself', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer({ requestTimeout: 300, headersTimeout: 300, connectionsCheckingInterval: 50 }, (req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
    answerClientErrors(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

  /** Sends raw bytes and collects whatever comes back until the server closes the connection. */
  function raw(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
      let got = '';
      socket.on('data', (d) => { got += d; });
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
  }

  it('a request that does not arrive in time: 408 and what to do', async () => {
    const res = await raw('POST /q/abcd HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\nkind=');
    expect(res).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(res).toContain('网络太慢');
  });

  it('malformed HTTP: 400 in Chinese', async () => {
    const res = await raw('GARBAGE\r\n\r\n');
    expect(res).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(res).toContain('请求格式不正确');
  });
});
