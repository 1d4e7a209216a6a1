import { describe, expect, it } from 'vitest';
import { localNameOf, normalizeImageReference, parseImageReference, registryNameOf } from './reference';

describe('image references', () => {
  it.each([
    ['busybox', 'busybox:latest'],
    ['busybox:1.36', 'busybox:1.36'],
    ['team/app_x:v1.2-rc', 'team/app_x:v1.2-rc'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['registry.example.com/a/b/c:9', 'registry.example.com/a/b/c:9'],
  ])('%s -> %s', (text, normal) => {
    expect(normalizeImageReference(text)).toBe(normal);
  });

  it('splits registry, path and tag', () => {
    expect(parseImageReference('localhost:5000/team/app:v1')).toEqual({ registry: 'localhost:5000', path: 'team/app', tag: 'v1' });
    expect(parseImageReference('team/app')).toEqual({ path: 'team/app', tag: 'latest' });
  });

  it.each([
    ['', /1\.\.255/],
    ['BusyBox', /lowercase/],
    ['../etc', /"\." and "\.\."/],
    ['a/../b', /"\." and "\.\."/],
    ['a//b', /lowercase/],
    ['app:-bad', /tag/],
    ['app:' + 'x'.repeat(129), /tag/],
    ['app@sha256:abc', /digests/],
    ['a b', /lowercase/],
    ['/abs', /lowercase/],
  ])('rejects %j', (text, why) => {
    expect(() => parseImageReference(text)).toThrow(why);
  });

  it('maps docker hub names both ways', () => {
    expect(localNameOf('docker.io/library/myimg:v1')).toBe('myimg:v1');
    expect(localNameOf('docker.io/team/x:v1')).toBe('team/x:v1');
    expect(localNameOf('quay.io/a/b:1')).toBe('quay.io/a/b:1');
    expect(registryNameOf('busybox')).toBe('docker.io/library/busybox:latest');
    expect(registryNameOf('team/x:2')).toBe('docker.io/team/x:2');
    expect(registryNameOf('localhost:1/x')).toBe('localhost:1/x:latest');
  });
});
