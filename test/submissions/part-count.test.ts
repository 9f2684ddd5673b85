import { EventEmitter } from 'node:events';
import type { Request } from 'express';
import { countDelimiters, countParts, droppedParts } from '../../src/submissions/photo-multipart';

/** Delimiters are counted in the raw body however it is cut into chunks, so a part busboy skipped is noticed. */
describe('counting multipart delimiters across chunks', () => {
  const boundary = '----linshengPartCount7MA4YWxkTrZu0gW';
  const body = Buffer.from([
    `--${boundary}\r\nContent-Disposition: form-data; name="ft"\r\n\r\nabc\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n${'楼道灯坏了'.repeat(50)}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="\\"\r\nContent-Type: image/jpeg\r\n\r\n${'x'.repeat(3000)}\r\n`,
    `--${boundary}--\r\n`,
  ].join(''));

  function feed(chunkSize: number, partsParsed: number): boolean {
    const req = Object.assign(new EventEmitter(), { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }) as unknown as Request;
    const busboy = new EventEmitter() as unknown as NodeJS.WritableStream;
    const count = countParts(req, busboy)!;
    for (let at = 0; at < body.length; at += chunkSize) count(body.subarray(at, at + chunkSize));
    for (let i = 0; i < partsParsed; i++) busboy.emit('field');
    return droppedParts(req);
  }

  it.each([1, 2, 7, boundary.length, boundary.length + 1, 64, 1000, body.length])('in chunks of %i bytes', (size) => {
    expect(feed(size, 3)).toBe(false); // busboy handed on all three parts
    expect(feed(size, 2)).toBe(true); // one part (the photo with a broken name) never reached multer
  });
});

describe('counting delimiters in a whole body', () => {
  it('counts every delimiter, the closing one included', () => {
    const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n');
    expect(countDelimiters(body, 'b')).toBe(2);
  });
});
