// The release history the page and the API route serve.
export const releases = [
  { version: "0.4.0", date: "2024-05-02", notes: ["Health endpoint", "Faster page loads"] },
  { version: "0.3.0", date: "2024-03-18", notes: ["Dark mode", "Keyboard navigation"] },
  { version: "0.2.0", date: "2024-01-09", notes: ["First public release"] },
];

export function latest() {
  return releases[0];
}
