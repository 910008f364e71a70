// Next's recommended rules (React, hooks, Core Web Vitals) with typescript-eslint's. Formatting is
// Prettier's job, so no stylistic rules here; CI runs both with zero warnings allowed.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // A leading underscore marks a value left out on purpose (a rest sibling, an unused argument).
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  globalIgnores([
    ".next/**",
    ".ci/**",
    ".data/**",
    "node_modules/**",
    "test-results/**",
    "playwright-report/**",
    "db/migrations/**",
    "next-env.d.ts",
    ".next-*/**",
    "coverage/**",
  ]),
]);
