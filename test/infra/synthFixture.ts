/**
 * One synthesized app per target for a test file (bundling with esbuild is the slow part), and helpers to
 * read CloudFormation values that CDK renders as `Fn::Join` of strings and references.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { Stack } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";

import { type HlbasisStacks, REPO_ROOT, buildHlbasisApp } from "../../infra/hlbasisApp.js";

/** The context `cdk.json` gives every CLI run (feature flags), which an in-process App must be given. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8")) as { context: Record<string, unknown> }
).context;

export interface SynthesizedApp {
  readonly app: App;
  readonly stacks: HlbasisStacks;
  readonly templates: ReadonlyMap<string, Template>;
  /** Warnings and errors the synthesis attached to the stacks (info messages included). */
  readonly messages: readonly SynthesisMessage[];
}

export interface SynthesisMessage {
  readonly stack: string;
  readonly level: string;
  readonly text: string;
}

const outdirs: string[] = [];

/** A cloud-assembly directory for one App, removed by `removeSynthOutputs`. */
export function tempOutdir(): string {
  const outdir = mkdtempSync(join(tmpdir(), "hlbasis-cdk-test-"));
  outdirs.push(outdir);
  return outdir;
}

/** Removes every assembly this file's apps wrote (call from afterAll). */
export function removeSynthOutputs(): void {
  for (const outdir of outdirs.splice(0)) rmSync(outdir, { recursive: true, force: true });
}

/**
 * Builds and synthesizes the app with cdk-nag registered (synthesis throws on an unacknowledged finding).
 * `skipBundling` sets CDK's own `aws:cdk:bundling-stacks` to none: the function and host configuration in
 * the templates is unchanged, only the code assets are placeholders.
 */
export function synthesize(
  context: Record<string, unknown>,
  options: { skipBundling?: boolean } = {},
): SynthesizedApp {
  const app = new App({
    outdir: tempOutdir(),
    context: {
      ...CDK_JSON_CONTEXT,
      ...context,
      ...(options.skipBundling === true ? { "aws:cdk:bundling-stacks": [] } : {}),
    },
  });
  const stacks = buildHlbasisApp(app, { nag: true });
  // One synthesis: Template.fromStack would synthesize again and re-run aspects on a finished tree.
  const assembly = app.synth();
  const templates = new Map<string, Template>();
  const messages: SynthesisMessage[] = [];
  for (const stack of allStacks(stacks)) {
    const artifact = assembly.getStackByName(stack.stackName);
    templates.set(stack.stackName, Template.fromJSON(artifact.template as Record<string, unknown>));
    for (const message of artifact.messages) {
      messages.push({
        stack: stack.stackName,
        level: message.level,
        text: JSON.stringify(message.entry.data),
      });
    }
  }
  return { app, stacks, templates, messages };
}

export function allStacks(stacks: HlbasisStacks): Stack[] {
  return [stacks.network, stacks.data, stacks.messaging, stacks.host, stacks.observability].filter(
    (stack): stack is NonNullable<typeof stack> => stack !== undefined,
  );
}

/** cdk-nag's AwsSolutions pack run directly over the app: every finding, errors and warnings alike. */
export function nagFindings(app: App): { rule: string; severity: string; paths: string[] }[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity ?? "error",
    paths: violation.violatingResources.map(
      (resource) => resource.constructPath ?? resource.resourceLogicalId ?? "(unknown)",
    ),
  }));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `{"Fn::Join": ["", [..]]}` → one string, references rendered as `${Ref:X}` / `${GetAtt:X.Y}`. */
export function flatten(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((item) => flatten(item)).join(",");
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const object = value as { [key: string]: Json };
    if ("Fn::Join" in object) {
      const [separator, parts] = object["Fn::Join"] as [string, Json[]];
      return parts.map((part) => flatten(part)).join(separator);
    }
    if ("Fn::Base64" in object) return flatten(object["Fn::Base64"]);
    if ("Ref" in object) return `\${Ref:${flatten(object["Ref"])}}`;
    if ("Fn::GetAtt" in object) return `\${GetAtt:${(object["Fn::GetAtt"] as string[]).join(".")}}`;
    if ("Fn::ImportValue" in object) return `\${Import:${flatten(object["Fn::ImportValue"])}}`;
    if ("Fn::Sub" in object) return flatten(object["Fn::Sub"]);
  }
  return JSON.stringify(value);
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

export function resourcesOf(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type) as Record<string, CfnResource>);
}

export function onlyResource(template: Template, type: string): [string, CfnResource] {
  const found = resourcesOf(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}
