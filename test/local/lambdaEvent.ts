/**
 * What Lambda hands an SQS-triggered function, built from what SQS returned: the `SQSEvent` records
 * (`toSqsRecord`) and the invocation `Context` (`lambdaContext`), in the shapes the Lambda runtime uses
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html), so a handler cannot tell the local event
 * source from the real one.
 */

import { randomBytes } from "node:crypto";

import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { Context, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from "aws-lambda";

export class LambdaEventError extends Error {
  override readonly name = "LambdaEventError";
}

/** The parts of an SQS queue ARN (`arn:aws:sqs:<region>:<account>:<name>`) an event needs. */
export interface QueueIdentity {
  readonly arn: string;
  readonly region: string;
  readonly accountId: string;
}

export function parseQueueArn(arn: string): QueueIdentity {
  const match = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_.-]+$/.exec(arn);
  if (!match) throw new LambdaEventError(`not an SQS queue ARN: ${JSON.stringify(arn)}`);
  return { arn, region: match[1]!, accountId: match[2]! };
}

function requireText(value: string | undefined, what: string, messageId: string | undefined): string {
  if (value === undefined || value === "") {
    throw new LambdaEventError(`SQS returned message ${messageId ?? "(no id)"} without ${what}`);
  }
  return value;
}

/** Lambda's spelling of a message attribute: camelCase, binary as base64, the unused list fields empty. */
function toLambdaAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? "String",
    };
  }
  return out;
}

/**
 * One received message as a Lambda `SQSRecord`. The message must have been received with
 * `MessageSystemAttributeNames: ["All"]` and `MessageAttributeNames: ["All"]`, as Lambda's poller does.
 */
export function toSqsRecord(message: Message, queue: QueueIdentity): SQSRecord {
  const id = message.MessageId;
  const system = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: requireText(system.ApproximateReceiveCount, "ApproximateReceiveCount", id),
    SentTimestamp: requireText(system.SentTimestamp, "SentTimestamp", id),
    SenderId: requireText(system.SenderId, "SenderId", id),
    ApproximateFirstReceiveTimestamp: requireText(
      system.ApproximateFirstReceiveTimestamp,
      "ApproximateFirstReceiveTimestamp",
      id,
    ),
  };
  if (system.AWSTraceHeader !== undefined) attributes.AWSTraceHeader = system.AWSTraceHeader;
  if (system.SequenceNumber !== undefined) attributes.SequenceNumber = system.SequenceNumber;
  if (system.MessageGroupId !== undefined) attributes.MessageGroupId = system.MessageGroupId;
  if (system.MessageDeduplicationId !== undefined) {
    attributes.MessageDeduplicationId = system.MessageDeduplicationId;
  }
  return {
    messageId: requireText(id, "MessageId", id),
    receiptHandle: requireText(message.ReceiptHandle, "ReceiptHandle", id),
    body: message.Body ?? "",
    attributes,
    messageAttributes: toLambdaAttributes(message.MessageAttributes),
    md5OfBody: requireText(message.MD5OfBody, "MD5OfBody", id),
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: "aws:sqs",
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}

export interface LambdaFunctionIdentity {
  readonly functionName: string;
  readonly region: string;
  readonly accountId: string;
  readonly memoryLimitInMB: number;
  /** One per execution environment, as in CloudWatch: `YYYY/MM/DD/[$LATEST]<32 hex>`. */
  readonly logStreamName: string;
}

export function newLogStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

/** The invocation context: a fresh request id per invocation and the time left before `deadlineMs`. */
export function lambdaContext(fn: LambdaFunctionIdentity, awsRequestId: string, deadlineMs: number): Context {
  const noLegacyCallbacks = (): void => undefined;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:${fn.accountId}:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memoryLimitInMB),
    awsRequestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: fn.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    // Deprecated callback-style completion; async handlers return instead.
    done: noLegacyCallbacks,
    fail: noLegacyCallbacks,
    succeed: noLegacyCallbacks,
  };
}
