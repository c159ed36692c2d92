import { decodeCursor, encodeCursor } from './cursor';

describe('cursor codec', () => {
  it('round-trips a position', () => {
    const cursor = { date: '2026-11-24', seq: 123456 };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    '',
    'x',
    'not a cursor!',
    Buffer.from('2026-11-24.-1').toString('base64url'),
    Buffer.from('2026-11-24').toString('base64url'),
    'A'.repeat(200),
  ])('rejects %p', (text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});
