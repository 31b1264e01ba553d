/** @type {import('next').NextConfig} */
const nextConfig = {
  // The app image (Dockerfile, tools/kube/images/build.sh) ships .next/standalone: the server and
  // only the node_modules files it uses. `next start` (tools/run-app.sh, the end-to-end tests)
  // still serves the same build; it only logs that standalone output exists.
  output: 'standalone',
  // Native, WASM or filesystem-reading packages run as plain Node modules, not bundled.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', '@kubernetes/client-node', 'postgres'],
  poweredByHeader: false,
  // The test command type-checks the whole tree (npm run typecheck); the build need not do it twice.
  typescript: { ignoreBuildErrors: true },
  experimental: { authInterrupts: true },
  // The same on every response, static files and JSON endpoints included. The per-request ones
  // (Content-Security-Policy with a nonce, HSTS over https) are set by proxy.ts.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          // For browsers without CSP frame-ancestors; the CSP says the same.
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          // Nothing in the portal uses these device features; no page or embedded script may ask.
          {
            key: 'Permissions-Policy',
            value: 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()',
          },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
