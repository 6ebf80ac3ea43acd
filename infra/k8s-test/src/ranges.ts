/**
 * Value ranges the API server enforces in its validation code but the OpenAPI schemas do not state
 * (a port is just `int32` there, so 99999 passes any schema check and fails only at apply time).
 * Checked by field name wherever the field appears, which is how the API server's rules read too:
 * every `containerPort`, every probe's `periodSeconds`...
 */

const PORT_NUMBER_FIELDS = new Set([
  'containerPort',
  'hostPort',
  'nodePort',
  'port',
  'targetPort',
  'endPort',
]);
/** Named ports (IANA_SVC_NAME): 1-15 characters, lower-case letters, digits and inner dashes, one letter at least. */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
const PORT_NAME_FIELDS = new Set(['port', 'targetPort']);
const AT_LEAST_ONE = new Set(['periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold']);
const NOT_NEGATIVE = new Set([
  'initialDelaySeconds',
  'terminationGracePeriodSeconds',
  'replicas',
  'minReadySeconds',
  'revisionHistoryLimit',
  'stabilizationWindowSeconds',
]);

/** Free-form maps: their keys are data, not fields. */
const MAPS = new Set(['labels', 'annotations', 'matchLabels', 'data', 'stringData', 'config']);

function isPort(n: unknown): boolean {
  return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
}

export function rangeErrors(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => rangeErrors(v, `${path}[${i}]`));
  const errors: string[] = [];
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    const here = path ? `${path}.${key}` : key;
    if (MAPS.has(key)) continue;
    if (typeof v === 'number') {
      // An Ingress backend names its port as port.number.
      const portField = PORT_NUMBER_FIELDS.has(key) || (key === 'number' && path.endsWith('.port'));
      if (portField && !isPort(v)) errors.push(`${here}: ${v} is not a port (1-65535)`);
      if (AT_LEAST_ONE.has(key) && /Probe$/.test(path) && !(Number.isInteger(v) && v >= 1))
        errors.push(`${here}: must be an integer >= 1`);
      if (NOT_NEGATIVE.has(key) && !(Number.isInteger(v) && v >= 0))
        errors.push(`${here}: must be an integer >= 0`);
    } else if (typeof v === 'string' && PORT_NAME_FIELDS.has(key) && !/^\d+$/.test(v)) {
      if (!PORT_NAME.test(v)) errors.push(`${here}: "${v}" is not a port name (IANA_SVC_NAME)`);
    } else if (typeof v === 'string' && PORT_NAME_FIELDS.has(key) && !isPort(Number(v))) {
      errors.push(`${here}: "${v}" is not a port (1-65535)`);
    }
    errors.push(...rangeErrors(v, here));
  }
  // An autoscaler that can never reach its minimum.
  const min = obj.minReplicas;
  const max = obj.maxReplicas;
  if (min !== undefined && !(Number.isInteger(min) && (min as number) >= 1))
    errors.push(`${path ? `${path}.` : ''}minReplicas: must be an integer >= 1`);
  if (typeof min === 'number' && typeof max === 'number' && max < min)
    errors.push(`${path ? `${path}.` : ''}maxReplicas: ${max} is below minReplicas ${min}`);
  return errors;
}
