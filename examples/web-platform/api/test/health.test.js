const test = require("node:test");
const assert = require("node:assert");
const pkg = require("../package.json");

test("entry point is the server", () => {
  assert.strictEqual(pkg.main, "src/server.js");
});
