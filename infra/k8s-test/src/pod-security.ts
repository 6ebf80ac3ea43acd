import type { K8sObject } from './kustomize';

/**
 * The checks of the Kubernetes Pod Security Standard "restricted" (which includes "baseline") that
 * a pod template can fail, as the admission controller applies them to the pods a workload creates:
 * a Deployment whose template fails them is accepted, and then never gets a pod.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ (version "latest").
 */

type Json = Record<string, unknown>;
interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type?: string };
  capabilities?: { add?: string[]; drop?: string[] };
  procMount?: string;
}
interface Container {
  name: string;
  ports?: Array<{ hostPort?: number }>;
  securityContext?: SecurityContext;
}
interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Json[];
}

/** Volume types "restricted" allows. */
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

export function podTemplateOf(obj: K8sObject): PodSpec | undefined {
  const spec = obj.spec as Json | undefined;
  if (obj.kind === 'CronJob')
    return (((spec?.jobTemplate as Json)?.spec as Json)?.template as Json)?.spec as PodSpec;
  return (spec?.template as Json | undefined)?.spec as PodSpec | undefined;
}

/** Why a pod of this template would be rejected by a namespace enforcing "restricted"; empty if it would not. */
export function restrictedViolations(pod: PodSpec): string[] {
  const out: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces');
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.has(type)) out.push(`volume ${String(v.name)}: ${type}`);
  }
  const podCtx = pod.securityContext ?? {};
  const containers = [
    ...(pod.containers ?? []),
    ...(pod.initContainers ?? []),
    ...(pod.ephemeralContainers ?? []),
  ];
  for (const c of containers) {
    const ctx = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (ctx.privileged) out.push(`${where}: privileged`);
    if ((c.ports ?? []).some((p) => p.hostPort)) out.push(`${where}: hostPort`);
    if (ctx.procMount && ctx.procMount !== 'Default') out.push(`${where}: procMount`);
    if (ctx.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation must be false`);
    if ((ctx.runAsNonRoot ?? podCtx.runAsNonRoot) !== true) out.push(`${where}: runAsNonRoot must be true`);
    if ((ctx.runAsUser ?? podCtx.runAsUser) === 0) out.push(`${where}: runAsUser 0`);
    const seccomp = ctx.seccompProfile?.type ?? podCtx.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      out.push(`${where}: seccompProfile must be RuntimeDefault or Localhost`);
    if (!(ctx.capabilities?.drop ?? []).includes('ALL')) out.push(`${where}: capabilities must drop ALL`);
    const added = (ctx.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) out.push(`${where}: adds capabilities ${added.join(', ')}`);
  }
  return out;
}
