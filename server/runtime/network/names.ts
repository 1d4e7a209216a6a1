import { createHash } from 'node:crypto';
import { CgdashError } from '@/server/lib/errors';

export const NETWORK_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
/** IFNAMSIZ is 16 with the NUL, so 15 characters; no '/', ':' or spaces. */
export const BRIDGE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/;
/** The CNI spec's rule for container ids. */
export const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
/** A host name as /etc/hosts carries it: no spaces, no newlines. */
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

function check(re: RegExp, value: string, field: string, rule: string): string {
  if (typeof value !== 'string' || !re.test(value)) {
    throw new CgdashError('invalid', `${field}: ${JSON.stringify(String(value))} is not valid (${rule})`, { field, value: String(value) });
  }
  return value;
}

export function validateNetworkName(name: string): string {
  return check(NETWORK_NAME, name, 'name', 'lower-case letters, digits, "_", "." and "-", starting with a letter or digit, at most 32');
}

export function validateBridgeName(name: string): string {
  return check(BRIDGE_NAME, name, 'bridge', 'letters, digits, "_", "." and "-", at most 15');
}

export function validateContainerId(id: string): string {
  return check(CONTAINER_ID, id, 'containerId', 'letters, digits, "_", "." and "-", at most 128');
}

export function validateContainerName(name: string): string {
  return check(CONTAINER_NAME, name, 'containerName', 'letters, digits, "_", "." and "-", at most 63');
}

/**
 * Names the CNI plugins derive from (network name, container id): sha512 of the two joined,
 * cut to iptables' and the kernel's limits (containernetworking/plugins pkg/utils). We need them
 * to find what a DEL left behind.
 */
export interface CniDerivedNames {
  /** nat chain of the bridge plugin's ipMasq, jumped to from POSTROUTING. */
  masqChain: string;
  /** nat chain of the portmap plugin, jumped to from CNI-HOSTPORT-DNAT. */
  dnatChain: string;
  /** ifb device of the bandwidth plugin (egress shaping). */
  ifbDevice: string;
}

export function cniDerivedNames(networkName: string, containerId: string): CniDerivedNames {
  const hash = createHash('sha512').update(networkName + containerId).digest('hex');
  return {
    masqChain: `CNI-${hash}`.slice(0, 28),
    dnatChain: `CNI-DN-${hash}`.slice(0, 28),
    ifbDevice: `bwp${hash}`.slice(0, 15),
  };
}
