import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const API_SERVER = 'http://localhost:8080';

/** Every file under `dir`, as URL paths relative to it. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      return entry.isDirectory() ? listFiles(dir, relative) : Promise.resolve([relative]);
    }),
  );
  return nested.flat();
}

/**
 * The service worker in public/ is hand-written, but only the build knows the hashed file
 * names. After the bundle is written, this fills in the list of files to keep offline and a
 * version derived from their contents, so that any change to the app installs a new cache.
 */
function serviceWorkerPrecache(): Plugin {
  let outDir = 'dist';
  // Chunks made only of staff code (administration, the OPD doctor's console) and their styles:
  // staff fetch them on first use; a patient's phone never downloads them in the background.
  const staffOnly = ['/src/admin/', '/src/doctor/'];
  const adminOnly = new Set<string>();
  return {
    name: 'sanjog:sw-precache',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk' || output.moduleIds.length === 0) continue;
        if (!output.moduleIds.every((id) => staffOnly.some((folder) => id.includes(folder)))) continue;
        adminOnly.add(output.fileName);
        for (const css of output.viteMetadata?.importedCss ?? []) adminOnly.add(css);
      }
    },
    async closeBundle() {
      const swFile = path.join(outDir, 'sw.js');
      // Everything the pages need offline, including every language's dictionary (small while
      // there are two; with many, cache them on first use instead). PNG icons are left out: the
      // phone stores the installed app's icon itself, and patients pay for every kilobyte.
      const files = (await listFiles(outDir)).filter(
        (file) =>
          file !== 'sw.js' &&
          file !== 'index.html' &&
          !file.endsWith('.map') &&
          !file.endsWith('.png') &&
          !file.startsWith('.') &&
          !adminOnly.has(file),
      );
      files.sort();
      const hash = createHash('sha256');
      for (const file of [...files, 'index.html']) {
        hash.update(file).update(await readFile(path.join(outDir, file)));
      }
      const manifest = { version: hash.digest('hex').slice(0, 12), files: files.map((file) => `/${file}`) };
      const source = await readFile(swFile, 'utf8');
      const marker = /const BUILD = \{[^\n]*\};/;
      if (!marker.test(source)) throw new Error('public/sw.js lost its `const BUILD = {...};` line');
      await writeFile(swFile, source.replace(marker, `const BUILD = ${JSON.stringify(manifest)};`));
    },
  };
}

export default defineConfig({
  plugins: [react(), serviceWorkerPrecache()],
  resolve: {
    // Read @sanjog/shared from its TypeScript source, so the web build never waits on tsc.
    conditions: ['source', ...defaultClientConditions],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Old Android WebViews are common among patients; stay a few years behind the newest.
    target: ['chrome87', 'safari14', 'firefox78'],
    // Browsers without modulepreload simply fetch on import; the polyfill is not worth its bytes.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': API_SERVER,
      '/health': API_SERVER,
      '/docs': API_SERVER,
    },
  },
});
