import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The committed libs/proto/src/gen (and index.ts) must be exactly what `npm run proto` produces from
// proto/. `scripts/proto.mjs --check` regenerates into a temporary directory and compares byte for byte.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const buf = join(root, 'node_modules/.bin/buf');
const tsProto = join(root, 'node_modules/.bin/protoc-gen-ts_proto');

/** Why the generator cannot run here, or undefined when it can (buf ships its binary in an npm platform package). */
function generatorMissing(): string | undefined {
  if (!existsSync(tsProto)) return 'ts-proto (protoc-gen-ts_proto) is not installed';
  if (!existsSync(buf)) return '@bufbuild/buf is not installed';
  const version = spawnSync(buf, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0)
    return `buf does not run on this platform: ${version.stderr || version.error?.message}`;
  return undefined;
}

const missing = generatorMissing();

describe('generated protobuf code', () => {
  it.skipIf(missing !== undefined)(
    missing === undefined
      ? 'is fresh: buf generate of proto/ matches the committed libs/proto/src'
      : `is fresh — SKIPPED, generator unavailable: ${missing}`,
    () => {
      const check = spawnSync(process.execPath, [join(root, 'scripts/proto.mjs'), '--check'], {
        cwd: root,
        encoding: 'utf8',
      });
      // The script's own message lists the stale files and says to run `npm run proto`.
      expect(check.status, `${check.stderr}${check.stdout}`).toBe(0);
    },
  );
});
