/** @type {import('next').NextConfig} */
module.exports = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The example ships no ESLint setup; linting runs in the editor, not in the image build.
  eslint: { ignoreDuringBuilds: true },
};
