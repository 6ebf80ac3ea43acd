#!/usr/bin/env node
// Runs the whole vitest suite from the root and ends with the one summary line CI reads:
//   tests: N passed, N failed, N skipped
// Skipped tests are listed by name first, so a suite that could not run here (Kafka, MongoDB) is
// visibly skipped rather than silently passing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const out = '.vitest-results.json';
rmSync(out, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: 'inherit', env: process.env });
child.on('exit', (code, signal) => {
  let passed = 0, failed = 0, skipped = 0;
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const skippedNames = [];
    for (const file of report.testResults ?? []) {
      // A file that failed to load has no assertions but must count as a failure.
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++;
      for (const t of file.assertionResults ?? []) {
        if (t.status === 'passed') passed++;
        else if (t.status === 'failed') failed++;
        else {
          skipped++;
          skippedNames.push(t.fullName ?? t.title);
        }
      }
    }
    if (skippedNames.length) {
      console.log(`\nskipped (${skippedNames.length}):`);
      for (const n of skippedNames) console.log(`  - ${n}`);
    }
  } else {
    failed = 1;
    console.log(`vitest produced no report (exit ${code ?? signal})`);
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed > 0 || code !== 0 ? 1 : 0);
});
