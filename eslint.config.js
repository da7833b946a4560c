import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Imports that would pull a transport into code that must stay transport-neutral.
// Generated *_service files hold the gRPC stubs and load @grpc/grpc-js; the message files do not.
const GRPC = ["@grpc/*", "**/grpc/**", "**/*_service.js"];
const NATS = ["nats", "**/nats/**"];

export default tseslint.config(
  { ignores: ["node_modules/", "services/gen/", "data/", "reports/", "dist/", "dist-lab/", ".tools/", ".scratch/", "eslint.config.js", ".mocharc.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // An async function that implements a promise-returning interface need not await anything.
      "@typescript-eslint/require-await": "off",
      "no-restricted-imports": "off",
    },
  },
  {
    // Business logic stays transport-neutral: no gRPC and no NATS, not even through generated stubs.
    files: [
      "services/domain/**/*.ts",
      "services/order/**/*.ts",
      "services/billing/**/*.ts",
      "services/notification/**/*.ts",
      "services/common/**/*.ts",
      "services/wire/**/*.ts",
      "services/direct/**/*.ts",
      "services/workflow.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: [...GRPC, ...NATS] }] },
  },
  {
    // The NATS adapter carries the same protobuf messages as the gRPC one, without loading grpc-js.
    files: ["services/nats/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: GRPC }] },
  },
  {
    files: ["services/grpc/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: NATS }] },
  },
);
