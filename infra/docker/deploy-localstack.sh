#!/bin/sh
# The `deploy` service of docker-compose.yml: the CDK app's localstack target into the LocalStack container.
#   1. bootstrap the CDK toolkit stack (an S3 bucket for assets) in LocalStack's account 000000000000;
#   2. deploy every stack with the compose Postgres as the Lambdas' database.
# Both are idempotent, so this runs on every `docker compose up` (LocalStack keeps no state across restarts).
set -eu

: "${DATABASE_URL:?DATABASE_URL must name the Postgres the Lambdas use}"
: "${AWS_REGION:=ap-northeast-1}"

context="-c target=localstack -c region=${AWS_REGION} -c databaseUrl=${DATABASE_URL}"

# shellcheck disable=SC2086 # $context is a list of flags
npx cdklocal bootstrap "aws://000000000000/${AWS_REGION}" $context
# shellcheck disable=SC2086
npx cdklocal deploy --all --require-approval never --outputs-file cdk.out/localstack-outputs.json $context
echo "deploy: stacks are up; outputs in cdk.out/localstack-outputs.json"
