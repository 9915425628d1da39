import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../src/api/plugins/token-cache.ts';
import type { Actor } from '../../src/domain/identity/actor.ts';

const actor = (n: number): Actor => ({ tokenId: `t${n}`, organizationId: `o${n}`, role: 'admin', workspaceIds: [] });

describe('TokenCache', () => {
  it('answers a token until its time is up, then forgets it', () => {
    const cache = new TokenCache(5000);
    cache.set('k', actor(1), 1000);
    expect(cache.get('k', 5999)).toEqual(actor(1));
    expect(cache.get('k', 6000)).toBeUndefined();
    expect(cache.get('k', 1000)).toBeUndefined(); // gone, not merely hidden
  });

  it('keeps nothing with a time of 0', () => {
    const cache = new TokenCache(0);
    cache.set('k', actor(1), 0);
    expect(cache.get('k', 0)).toBeUndefined();
  });

  it('stays within its size by dropping the oldest entry', () => {
    const cache = new TokenCache(60_000, 2);
    cache.set('a', actor(1), 0);
    cache.set('b', actor(2), 0);
    cache.set('a', actor(3), 0); // refreshed: now the newest
    cache.set('c', actor(4), 0);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toEqual(actor(3));
    expect(cache.get('c', 1)).toEqual(actor(4));
  });
});
