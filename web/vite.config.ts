/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { precompress } from "./scripts/precompress.ts";

const backend = process.env.TRELLIS_API ?? "http://127.0.0.1:8091";
const proxied = ["/api", "/auth", "/healthz", "/readyz"];

export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    // `vite build --outDir <dir>` overrides this; the Rust build script relies on that.
    outDir: "dist",
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
