// chromium.mjs — the project's one Chromium launcher for tests and
// benchmarks: Debian's Chromium (or $CHROMIUM) through playwright-core from
// the repository's root node_modules, headless, in a fresh profile that
// close() removes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Launches a persistent Chromium context in a new temporary profile.
 * options: prefix (of the profile directory's name), and any of
 * playwright's launchPersistentContext options (viewport, acceptDownloads,
 * ...). Resolves with { context, profile, close() }.
 */
export async function launchChromium({ prefix = 'kate-chromium-', ...options } = {}) {
  let chromium;
  try {
    ({ chromium } = createRequire(path.join(repo, 'package.json'))('playwright-core'));
  } catch {
    throw new Error('playwright-core is missing: run npm ci at the repository root');
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      ...options,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    profile,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
