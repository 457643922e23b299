import { defineConfig } from 'vitest/config';

// Files run one after another so the timing test does not compete with the
// other test file for CPU on small CI boxes.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 30_000, fileParallelism: false } });
