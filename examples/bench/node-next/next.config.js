/** @type {import('next').NextConfig} */
module.exports = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The example ships no ESLint setup; linting runs in the editor, not in the image build.
  eslint: { ignoreDuringBuilds: true },
  // Every server behind the load balancer must serve the same build: name it after the release.
  generateBuildId: async () => "release-notes-0.4.0",
};
