import { auditLibrary, canonicalTags, tagKey, type AuditItem } from '../../../src/calendar/quarterly/library-audit';

const AS_OF = '2026-07-01T06:00:00.000Z';
const daysAgo = (n: number) => new Date(Date.parse(AS_OF) - n * 86_400_000).toISOString();
const item = (name: string, over: Partial<AuditItem> = {}): AuditItem => ({
  name,
  kind: 'prompt',
  owner: 'ana',
  tags: ['support'],
  lastVersionAt: daysAgo(10),
  lastRunAt: daysAgo(1),
  hasDataset: true,
  ...over,
});
const rules = (items: AuditItem[]) => auditLibrary(items, AS_OF).map((f) => `${f.name}:${f.rule}`);

describe('quarterly library audit', () => {
  test('a healthy library has no findings', () => {
    expect(rules([item('a'), item('b', { tags: ['support', 'billing'] })])).toEqual([]);
  });

  test('no owner: blank or a placeholder', () => {
    expect(rules([item('a', { owner: '' }), item('b', { owner: ' TBD ' }), item('c', { owner: 'bo' })])).toEqual([
      'a:no-owner',
      'b:no-owner',
    ]);
  });

  test('stale needs both: no new version and no run for 90 days', () => {
    expect(
      rules([
        item('old-and-unused', { lastVersionAt: daysAgo(200), lastRunAt: daysAgo(95) }),
        item('never-ran', { lastVersionAt: daysAgo(120), lastRunAt: null }),
        item('old-but-used', { lastVersionAt: daysAgo(400), lastRunAt: daysAgo(3) }),
        item('unused-but-edited', { lastVersionAt: daysAgo(20), lastRunAt: null }),
        item('just-under', { lastVersionAt: daysAgo(89), lastRunAt: daysAgo(89.5) }),
      ]),
    ).toEqual(['never-ran:stale', 'old-and-unused:stale']);
  });

  test('tags: the spelling most items use is canonical; variants and nonconforming tags are flagged', () => {
    const items = [
      item('a', { tags: ['customer-support'] }),
      item('b', { tags: ['customer-support', 'billing'] }),
      item('c', { tags: ['Customer_Support'] }),
      item('d', { tags: ['Billing', 'emails'] }),
      item('e', { tags: ['email'] }),
      item('f', { tags: ['email'] }),
    ];
    const found = auditLibrary(items, AS_OF).filter((f) => f.rule === 'inconsistent-tags');
    expect(found).toEqual([
      { name: 'c', rule: 'inconsistent-tags', detail: '"Customer_Support" → "customer-support"' },
      { name: 'd', rule: 'inconsistent-tags', detail: '"Billing" → "billing", "emails" → "email"' },
    ]);
  });

  test('a lone nonconforming tag gets a conforming suggestion', () => {
    expect(canonicalTags([{ tags: ['Release Notes'] }]).get(tagKey('Release Notes'))).toBe('release-notes');
    expect(auditLibrary([item('a', { tags: ['Release Notes'] })], AS_OF)[0]!.detail).toBe(
      '"Release Notes" → "release-notes"',
    );
  });

  test('no golden dataset is a coverage gap', () => {
    expect(rules([item('a', { hasDataset: false })])).toEqual(['a:no-golden-dataset']);
  });

  test('one item can break several rules; findings come sorted by name', () => {
    expect(
      rules([
        item('z', { owner: '', hasDataset: false }),
        item('m', { lastVersionAt: daysAgo(100), lastRunAt: null, tags: ['Ops'] }),
      ]),
    ).toEqual(['m:stale', 'm:inconsistent-tags', 'z:no-owner', 'z:no-golden-dataset']);
  });
});
