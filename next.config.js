/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native, WASM or filesystem-reading packages run as plain Node modules, not bundled.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', '@kubernetes/client-node', 'postgres'],
  poweredByHeader: false,
  // The test command type-checks the whole tree (npm run typecheck); the build need not do it twice.
  typescript: { ignoreBuildErrors: true },
  experimental: { authInterrupts: true },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
