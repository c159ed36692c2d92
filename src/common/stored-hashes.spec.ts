import { dedupKey } from '../expenses/dedup-key';
import { requestFingerprint } from '../idempotency/idempotency.service';
import { hashToken } from '../ledgers/tokens.service';

// These hashes are stored in databases: a change to how one is computed would make every stored
// dedup key, token or Idempotency-Key fingerprint unrecognisable. The values were computed by the code that stored them.
describe('hashes kept in the database', () => {
  it('dedup keys', () => {
    const content = {
      ledgerId: 1,
      amountMinor: 1250n,
      currency: 'USD',
      category: 'food',
      description: 'Lunch with Ann',
      date: '2026-11-24',
    };
    expect(dedupKey(content, 1)).toBe('W4NrLxcC0Re5Fx5Ogd1v8VGje7-njbZsUb1BiarS870');
    expect(dedupKey(content, 2, 'recurring:7:2026-11-24')).toBe('smvTWso1bCqGXsnpbt3P1ViuybnjWu4Mm0tUfjPo2UE');
  });

  it('API tokens', () => {
    expect(hashToken('tly_example')).toBe('2874e88c7668ab56f9d92f75d56d9068b23119a9011b2e9b7d05a9d3c2565b49');
  });

  it('Idempotency-Key request fingerprints', () => {
    expect(requestFingerprint('POST', '/expenses', { b: 1, a: 'x' })).toBe(
      'V6rggX8kHdOR-GjHmVe5RP-VGNXRVibqPRG4CabX3lE',
    );
  });
});
