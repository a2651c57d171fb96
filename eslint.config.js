// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdk.out/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A dropped promise is a swallowed error: every one must be awaited, returned or handled.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    // The architecture's import rules (see each folder's README): the hot path depends on nothing else in
    // the repo; Lambdas may reuse the hot path's exchange wire core, config and logger, never the reverse.
    files: ["hotpath/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/lambdas/**", "**/infra/**", "**/test/**"],
              message: "hotpath/ must not import lambdas/, infra/ or test/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["lambdas/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/infra/**", "**/test/**"], message: "lambdas/ must not import infra/ or test/." },
            {
              // Of the hot path, only the wire core, config, logger and the SQS message codecs it shares
              // with the Lambdas (hotpath/persistence/*Codec*, nothing else in that folder).
              regex: "(^|/)hotpath/(?!(exchange|config|observability)/|persistence/[^/]*Codec[^/]*$)",
              message:
                "lambdas/ may import only hotpath/exchange/, hotpath/config/, hotpath/observability/ and hotpath/persistence/*Codec*.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
