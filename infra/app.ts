/**
 * The AWS CDK app (`cdk.json` points here). The stacks (network, data, messaging + functions, hot-path
 * host, observability) are built by the infrastructure issue once the Lambda handler contracts exist.
 * Until then this entry point says so plainly instead of synthesizing an empty or partial deployment.
 */
process.stderr.write(
  "hlbasis: the CDK app is not built yet (infrastructure issue). Nothing to synthesize or deploy.\n",
);
process.exit(1);
