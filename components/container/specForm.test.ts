import { describe, expect, it } from 'vitest';
import { ContainerSpec } from '@/server/runtime/spec';
import { emptySpecForm, formErrorsOf, toSpec, type SpecForm } from './specForm';

/** The schema's issues keyed as the server's error formatter keys them (under `spec.`). */
function serverErrors(input: unknown): Record<string, string> {
  const r = ContainerSpec.safeParse(input);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const i of r.error.issues) out[['spec', ...i.path.map(String)].join('.')] ??= i.message;
  return out;
}

function form(patch: (f: SpecForm) => void): SpecForm {
  const f = emptySpecForm({ network: 'cgdash0' });
  f.image = 'busybox';
  patch(f);
  return f;
}

describe('toSpec', () => {
  it('an untouched form is a valid spec that takes the schema defaults', () => {
    const draft = toSpec(form(() => {}));
    expect(draft.errors).toEqual({});
    const spec = ContainerSpec.parse(draft.spec);
    expect(spec).toMatchObject({ image: 'busybox', network: 'cgdash0', stopTimeoutSec: 10, restartPolicy: { name: 'no' }, env: [], ports: [] });
    expect(spec.command).toBeUndefined();
    expect(spec.name).toBeUndefined();
  });

  it('sends every option in the shape the schema parses', () => {
    const draft = toSpec(
      form((f) => {
        f.name = 'web';
        f.command = `sh -c 'echo "$GREETING" && sleep 1'`;
        f.entrypoint = '/bin/busybox';
        f.workingDir = '/www';
        f.user = '1000:1000';
        f.hostname = 'web.local';
        f.tty = true;
        f.interactive = true;
        f.readOnlyRootfs = true;
        f.lists.env = ['GREETING=hello', '  ', 'EMPTY='];
        f.lists.labels = ['team=core', 'tier = web'];
        f.lists.volumes = ['/tmp:/data:ro'];
        f.lists.tmpfs = ['/run:size=8m,mode=1777'];
        f.lists.ports = ['127.0.0.1:18080:8080', '5353:53/udp'];
        f.namespaces.pid = { kind: 'host', name: '' };
        f.namespaces.ipc = { kind: 'container', name: 'db' };
        f.namespaces.user = 'new';
        f.usernsMapping = '0:100000:65536';
        f.limits = { cpus: '0.5', cpuWeight: '200', cpusetCpus: '0', cpusetMems: '0', memory: '64M', memorySwap: '128m', memoryReservation: '32M', pidsLimit: '100' };
        f.lists['limits.deviceReadBps'] = ['8:0:1mb'];
        f.lists['limits.deviceWriteIops'] = ['/dev/sda:100'];
        f.lists['security.capAdd'] = ['net_admin'];
        f.lists['security.capDrop'] = ['CAP_MKNOD'];
        f.seccomp = 'unconfined';
        f.noNewPrivileges = false;
        f.restartPolicy = 'on-failure';
        f.restartMaxRetries = '3';
        f.stopTimeoutSec = '5';
        f.networkIngressRate = '10mbit';
        f.networkEgressRate = '1m';
        f.tenant = 'acme';
      }),
    );
    expect(draft.errors).toEqual({});
    const spec = ContainerSpec.parse(draft.spec);
    expect(spec.command).toEqual(['sh', '-c', 'echo "$GREETING" && sleep 1']);
    expect(spec.entrypoint).toEqual(['/bin/busybox']);
    expect(spec.env).toEqual(['GREETING=hello', 'EMPTY=']);
    expect(spec.labels).toEqual({ team: 'core', tier: ' web' });
    expect(spec.volumes).toEqual([{ hostPath: '/tmp', containerPath: '/data', readOnly: true }]);
    expect(spec.tmpfs).toEqual([{ containerPath: '/run', sizeBytes: 8 * 1024 ** 2, mode: 0o1777 }]);
    expect(spec.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'tcp' },
      { hostPort: 5353, containerPort: 53, protocol: 'udp' },
    ]);
    expect(spec.namespaces).toEqual({ network: 'new', pid: 'host', ipc: 'container:db', uts: 'new', user: 'new' });
    expect(spec.usernsMapping).toEqual({ containerId: 0, hostId: 100000, size: 65536 });
    expect(spec.limits).toMatchObject({ cpus: 0.5, cpuWeight: 200, memory: 64 * 1024 ** 2, memorySwap: 128 * 1024 ** 2, memoryReservation: 32 * 1024 ** 2, pidsLimit: 100 });
    expect(spec.limits.deviceReadBps).toEqual([{ device: '8:0', rate: 1024 ** 2 }]);
    expect(spec.limits.deviceWriteIops).toEqual([{ device: '/dev/sda', rate: 100 }]);
    expect(spec.security).toEqual({ capAdd: ['CAP_NET_ADMIN'], capDrop: ['CAP_MKNOD'], privileged: false, seccomp: 'unconfined', noNewPrivileges: false });
    expect(spec.restartPolicy).toEqual({ name: 'on-failure', maxRetries: 3 });
    expect(spec.stopTimeoutSec).toBe(5);
    expect(spec.networkIngressRate).toBe(1_250_000);
    expect(spec.networkEgressRate).toBe(1024 ** 2);
    expect(spec.tenant).toBe('acme');
  });

  it('finds what it can before sending: quotes, numbers, labels', () => {
    const draft = toSpec(
      form((f) => {
        f.command = `echo 'unclosed`;
        f.limits.cpus = 'half';
        f.limits.pidsLimit = '1.5';
        f.stopTimeoutSec = 'soon';
        f.lists.labels = ['', 'novalue', 'a=1', 'a=2'];
      }),
    );
    expect(draft.errors).toEqual({
      command: 'a single quote is not closed',
      'limits.cpus': '"half" is not a number',
      'limits.pidsLimit': '"1.5" is not a whole number',
      stopTimeoutSec: '"soon" is not a whole number',
      'labels.1': 'a label is KEY=VALUE',
      'labels.3': 'label a is given twice',
    });
  });
});

describe('formErrorsOf', () => {
  it('puts each schema error next to the input that caused it, blank rows counted', () => {
    const draft = toSpec(
      form((f) => {
        f.limits.memory = '64 parsecs';
        f.lists.ports = ['', '8080:80', 'nonsense'];
        f.lists.volumes = ['relative:/data'];
        f.lists['security.capAdd'] = ['', '', 'CAP_MAKE_COFFEE'];
        f.namespaces.pid = { kind: 'container', name: '' };
        f.restartPolicy = 'always';
        f.autoRemove = true;
      }),
    );
    const errors = formErrorsOf(serverErrors(draft.spec), draft);
    expect(errors['limits.memory']).toMatch(/"64 parsecs" is not a size/);
    expect(errors['ports.2']).toMatch(/nonsense/);
    expect(errors['ports.1']).toBeUndefined();
    expect(errors['volumes.0']).toMatch(/absolute host path/);
    expect(errors['security.capAdd.2']).toMatch(/not a Linux capability/);
    expect(errors['namespaces.pid']).toMatch(/container:NAME/);
  });

  it('reports rules across fields at the field they name', () => {
    const draft = toSpec(
      form((f) => {
        f.network = 'none';
        f.lists.ports = ['8080:80'];
        f.limits.memorySwap = '1g';
        f.restartPolicy = 'always';
        f.autoRemove = true;
      }),
    );
    const errors = formErrorsOf(serverErrors(draft.spec), draft);
    expect(errors.ports).toMatch(/publishing ports needs a network/);
    expect(errors['limits.memorySwap']).toMatch(/needs memory/);
    expect(errors.autoRemove).toMatch(/exclude each other/);
  });

  it('maps label keys and restart policy parts to their inputs', () => {
    const draft = toSpec(form((f) => (f.lists.labels = ['', 'team=core'])));
    expect(formErrorsOf({ 'spec.labels.team': 'bad', 'spec.restartPolicy.maxRetries': 'too many', name: 'taken' }, draft)).toEqual({
      'labels.1': 'bad',
      restartPolicy: 'too many',
      name: 'taken',
    });
  });
});
