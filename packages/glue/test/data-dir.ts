import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared real data, reached relative to the repository root (never copied into the repo). */
const repoRoot = resolve(import.meta.dirname, '../../..');
export const glueDataDir = resolve(repoRoot, '../shared/data/glue');
export const hasGlueData = existsSync(glueDataDir);
export const missingDataReason = `real GLUE data not found at ${glueDataDir} (expected ../shared/data/glue next to the repository; see shared/data/SOURCES.md)`;
if (!hasGlueData) console.warn(`[@edora/glue tests] skipping real-data tests: ${missingDataReason}`);
