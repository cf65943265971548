import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: [".next/**", ".data/**", "node_modules/**", "db/migrations/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    rules: {
      // Environment is parsed once, in lib/env.ts; everything else imports it.
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration from lib/env.ts." }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["app/**/*.tsx"],
    rules: {
      // A touch screen cannot hover, so it never shows a tooltip: an explanation is on screen, or a tap away.
      "no-restricted-syntax": [
        "error",
        {
          selector: "JSXAttribute[name.name='title']",
          message: "A title attribute is a hover tooltip, which a touch screen never shows: put the words on screen, or behind <Explained> (app/_components/ui/explained.tsx).",
        },
      ],
    },
  },
  {
    // Tooling that runs before or outside the app's environment module.
    files: ["lib/env.ts", "lib/testing/**", "scripts/test.ts", "scripts/fuzz-explore.ts", "playwright.config.ts", "e2e/**", "bench/**", "next.config.mjs", "trainer/**/*.test.ts"],
    rules: { "no-restricted-properties": "off" },
  },
];

export default config;
