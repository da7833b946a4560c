import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "services/gen/", "data/", "reports/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": "off",
    },
  },
  {
    // Business logic stays transport-neutral: no gRPC and no NATS imports.
    files: ["services/domain/**/*.ts", "services/order/**/*.ts", "services/billing/**/*.ts", "services/notification/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["@grpc/*", "nats", "**/grpc/**", "**/nats/**"] }],
    },
  },
);
