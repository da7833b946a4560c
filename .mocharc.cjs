// Mocha settings for `npm test` (everything) and `npm run test:unit` (test/unit only).
module.exports = {
  "node-option": ["import=tsx"],
  timeout: 60000,
  reporter: "spec",
  // A focused test left in by mistake would silently skip the rest of CI.
  forbidOnly: Boolean(process.env.CI),
};
