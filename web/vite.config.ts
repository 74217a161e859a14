/// <reference types="vitest/config" />
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin, ResolvedConfig } from "vite";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/;
const MIN_BYTES = 1024;

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** Writes `.gz` and `.br` siblings (max quality) next to every compressible output over 1 kB. */
function precompress(): Plugin {
  let config: ResolvedConfig;
  return {
    name: "trellis-precompress",
    apply: "build",
    configResolved(c) {
      config = c;
    },
    async closeBundle() {
      const outDir = resolve(config.root, config.build.outDir);
      for await (const file of walk(outDir)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const { size } = await stat(file);
        if (size <= MIN_BYTES) continue;
        const data = await readFile(file);
        await writeFile(`${file}.gz`, gzipSync(data, { level: 9 }));
        await writeFile(
          `${file}.br`,
          brotliCompressSync(data, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
            },
          }),
        );
      }
    },
  };
}

const backend = process.env.TRELLIS_API ?? "http://127.0.0.1:8091";
const proxied = ["/api", "/auth", "/healthz", "/readyz"];

export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    // `vite build --outDir <dir>` overrides this; the Rust build script relies on that.
    outDir: "dist",
    // The output directory is the build's own (dist/, or the Rust build's OUT_DIR/web-dist):
    // clear it so no stale hashed file is embedded.
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: backend, changeOrigin: false }])),
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./vitest.setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
