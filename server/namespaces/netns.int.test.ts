import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec, execOk } from '@/server/lib/exec';
import { killOwned, spawnOwned, waitFor, type OwnedProcess } from '@/server/procfs/testing';
import { listInterfaces } from './interfaces';
import { addNetns, deleteNetns, listNetns, netnsExists } from './netns';

const suffix = randomBytes(3).toString('hex');
const netns = `cgdash-test-${suffix}`;
// IFNAMSIZ is 16: "cgdt-" + 6 hex + one letter fits.
const hostEnd = `cgdt-${suffix}h`;
const nsEnd = `cgdt-${suffix}n`;
// A private /30 used inside the test namespace only; the host end gets no IPv4 address.
const octets = randomBytes(2);
const nsAddress = `10.${200 + ((octets[0] ?? 0) % 50)}.${octets[1] ?? 0}.2`;

async function linkExists(name: string): Promise<boolean> {
  return (await exec('ip', ['link', 'show', 'dev', name])).code === 0;
}

describe('named network namespaces with ip netns, on this machine', () => {
  let sleeper: OwnedProcess | undefined;

  beforeAll(async () => {
    expect(await netnsExists(netns)).toBe(false);
  });

  // Everything this file made goes, pass or fail: our process, the veth, the namespace.
  afterAll(async () => {
    await killOwned(sleeper);
    if (await linkExists(hostEnd)) await exec('ip', ['link', 'delete', 'dev', hostEnd]);
    if (await netnsExists(netns)) await exec('ip', ['netns', 'delete', netns]);
    expect(await netnsExists(netns)).toBe(false);
    expect(await linkExists(hostEnd)).toBe(false);
  });

  it('creates a namespace and lists it with its inode and its lo', async () => {
    const created = await addNetns(netns);
    expect(created.name).toBe(netns);
    expect(created.inode).toBe((await stat(`/run/netns/${netns}`)).ino);
    expect(created.pids).toEqual([]);
    expect((await listNetns()).find((n) => n.name === netns)).toEqual(created);
    const inside = await listInterfaces({ netns });
    expect(inside.map((i) => i.ifname)).toEqual(['lo']);
    expect(inside[0]).toMatchObject({ linkType: 'loopback', adminUp: false, operstate: 'DOWN', addresses: [] });
  });

  it('refuses to create it twice, and names it in the error', async () => {
    await expect(addNetns(netns)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining(netns) });
  });

  it('shows a veth pair across the namespace boundary with the addresses given', async () => {
    await execOk('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd]);
    await execOk('ip', ['link', 'set', 'dev', nsEnd, 'netns', netns]);
    await execOk('ip', ['-n', netns, 'address', 'add', `${nsAddress}/30`, 'dev', nsEnd]);
    await execOk('ip', ['-n', netns, 'link', 'set', 'dev', nsEnd, 'up']);
    await execOk('ip', ['-n', netns, 'link', 'set', 'dev', 'lo', 'up']);
    await execOk('ip', ['link', 'set', 'dev', hostEnd, 'up']);

    const inside = await listInterfaces({ netns });
    expect(inside.map((i) => i.ifname)).toEqual(['lo', nsEnd]);
    const lo = inside[0];
    expect(lo?.adminUp).toBe(true);
    expect(lo?.addresses.map((a) => `${a.address}/${a.prefixLength}`)).toContain('127.0.0.1/8');
    const veth = inside[1];
    expect(veth).toMatchObject({ kind: 'veth', linkType: 'ether', adminUp: true, mtu: 1500 });
    expect(veth?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(veth?.addresses.filter((a) => a.family === 'inet')).toEqual([
      expect.objectContaining({ address: nsAddress, prefixLength: 30, scope: 'global', label: nsEnd }),
    ]);

    const host = (await listInterfaces()).find((i) => i.ifname === hostEnd);
    expect(host).toMatchObject({ kind: 'veth', adminUp: true, peerIfindex: veth?.ifindex });
    expect(host?.peerNetnsId).not.toBeNull();
    expect(host?.addresses.filter((a) => a.family === 'inet')).toEqual([]);
    // Both ends are up, so the link is: the kernel reports UP for each side.
    await waitFor(async () => ((await listInterfaces({ netns }))[1]?.operstate === 'UP' ? true : null), 'the veth to come up');
  });

  it('finds a process inside the namespace and reads the same interfaces through its pid', async () => {
    const { owned } = await spawnOwned('nsenter', [`--net=/run/netns/${netns}`, 'sleep', '300']);
    sleeper = owned;
    const listed = await waitFor(async () => {
      const entry = (await listNetns()).find((n) => n.name === netns);
      return entry?.pids.includes(owned.pid) ? entry : null;
    }, 'the process to join the namespace');
    expect(listed.pids).toEqual([owned.pid]);
    const byPid = await listInterfaces({ pid: owned.pid });
    const byName = await listInterfaces({ netns });
    expect(byPid.map((i) => [i.ifindex, i.ifname, i.mac])).toEqual(byName.map((i) => [i.ifindex, i.ifname, i.mac]));
    expect(byPid.find((i) => i.ifname === nsEnd)?.addresses.some((a) => a.address === nsAddress)).toBe(true);
  });

  it('says clearly when a pid or name does not exist', async () => {
    await expect(listInterfaces({ netns: `cgdash-test-${suffix}-none` })).rejects.toMatchObject({ kind: 'not_found' });
    await expect(deleteNetns(`cgdash-test-${suffix}-none`)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(listInterfaces({ pid: 2 ** 30 })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('deletes the namespace; with no process left it takes its veth pair along', async () => {
    await killOwned(sleeper);
    sleeper = undefined;
    await deleteNetns(netns);
    expect(await netnsExists(netns)).toBe(false);
    expect((await listNetns()).some((n) => n.name === netns)).toBe(false);
    // The kernel tears a namespace down in a worker; the host end disappears with it.
    await waitFor(async () => ((await linkExists(hostEnd)) ? null : true), 'the host end of the veth to go');
  });
});
