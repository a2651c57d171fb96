import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{hotpath,lambdas,infra,test}/**/*.test.ts"],
    exclude: ["node_modules", "dist", "cdk.out"],
    // Tests start real servers (Postgres, the simulator); give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
