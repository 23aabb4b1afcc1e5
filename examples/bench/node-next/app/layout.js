export const metadata = {
  title: "Release notes",
  description: "What changed in each release",
};

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: "2rem auto", maxWidth: "48rem" }}>
        {children}
      </body>
    </html>
  );
}
