import type { NextConfig } from 'next';

const config: NextConfig = {
  // `npm test` runs tsc and eslint over the whole tree itself; the build need not repeat them.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  // The pages are client components that talk tRPC; server-only packages never enter the bundle.
  serverExternalPackages: ['better-sqlite3', 'node-pty', 'systeminformation'],
  devIndicators: false,
};

export default config;
