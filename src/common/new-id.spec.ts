import { newId } from './new-id';

describe('newId', () => {
  it('is 26 characters of Crockford base32 (lower case)', () => {
    for (let i = 0; i < 1000; i++) expect(newId()).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('sorts as text in the order of creation, so new ids append to the id index', () => {
    const times = [0, 1, 31, 32, 1_000, 1_764_000_000_000, 1_764_000_000_001, 1_800_000_000_000, 2 ** 49];
    const ids = times.map((time) => newId(time));
    expect([...ids].sort()).toEqual(ids);
  });

  it('is unique within one millisecond: the tail is random', () => {
    const ids = Array.from({ length: 10_000 }, () => newId(1_764_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(0, 10))).size).toBe(1);
  });
});
