import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRules, parseListing, splitRuleLine } from './iptables';

// `iptables -t nat -S` on this machine (iptables 1.8.9, nf_tables) after a portmap ADD.
const natListing = readFileSync(path.join(__dirname, '__fixtures__', 'iptables-nat-portmap.txt'), 'utf8');

describe('splitRuleLine', () => {
  it('unquotes comments with escaped quotes', () => {
    expect(splitRuleLine('-A POSTROUTING -s 10.211.7.2/32 -m comment --comment "name: \\"cgdtx\\" id: \\"c1abc\\"" -j X')).toEqual([
      '-A',
      'POSTROUTING',
      '-s',
      '10.211.7.2/32',
      '-m',
      'comment',
      '--comment',
      'name: "cgdtx" id: "c1abc"',
      '-j',
      'X',
    ]);
  });
  it('keeps spaces inside quotes and collapses runs outside', () => {
    expect(splitRuleLine('-A  C  --comment "a  b" -j  ACCEPT')).toEqual(['-A', 'C', '--comment', 'a  b', '-j', 'ACCEPT']);
  });
});

describe('parseListing', () => {
  const listing = parseListing(natListing);
  it('lists built-in and user chains', () => {
    expect(listing.chains).toContain('POSTROUTING');
    expect(listing.chains).toContain('CNI-DN-0094c4660bd369d279520');
  });
  it('gives each rule its chain and arguments, ready for -D', () => {
    const jumps = listing.rules.filter((r) => r.args.at(-1) === 'CNI-0094c4660bd369d279520d1a');
    expect(jumps).toEqual([
      {
        chain: 'POSTROUTING',
        args: ['-s', '10.211.7.2/32', '-m', 'comment', '--comment', 'name: "cgdtx" id: "c1abc"', '-j', 'CNI-0094c4660bd369d279520d1a'],
      },
    ]);
    expect(listing.rules.filter((r) => r.chain === 'CNI-DN-0094c4660bd369d279520')).toHaveLength(3);
  });
  it('finds a rule by its exact arguments only', () => {
    expect(findRules(listing, 'CNI-HOSTPORT-MASQ', ['-m', 'mark', '--mark', '0x2000/0x2000', '-j', 'MASQUERADE'])).toHaveLength(1);
    expect(findRules(listing, 'CNI-HOSTPORT-MASQ', ['-m', 'mark', '--mark', '0x2000/0x2000'])).toHaveLength(0);
  });
});
