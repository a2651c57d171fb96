/**
 * The AWS CDK app (`cdk.json` runs it with tsx). Context selects the target and settings (infra/settings.ts):
 *
 *   npx cdk synth                                  # target=aws, ap-northeast-1, offline, no credentials
 *   npx cdk synth -c target=localstack -c databaseUrl=postgres://hlbasis:hlbasis@postgres:5432/hlbasis
 *
 * cdk-nag's AwsSolutionsChecks run on every synthesis; an unacknowledged finding stops it.
 */

import { App } from "aws-cdk-lib";

import { buildHlbasisApp } from "./hlbasisApp.js";

const app = new App();
buildHlbasisApp(app);
app.synth();
