// The extension's contract with eventapi-lsp: the `eventapi.generate` command and the
// `eventapi/preview` request, with checks on what comes back (a server bug must not
// crash a command with an undefined property access).
import type { GeneratorKind } from "./settings";

export const GENERATE_COMMAND = "eventapi.generate";
export const PREVIEW_REQUEST = "eventapi/preview";

export type GenerateScope = "file" | "workspace";

export interface GenerateArgs {
  uri?: string;
  scope: GenerateScope;
  kinds: GeneratorKind[];
}

export interface GenerateResult {
  written: string[];
  unchanged: string[];
  errors: number;
}

export type PreviewKind = "sdk" | "ddl" | "flink";
export const PREVIEW_KINDS: readonly PreviewKind[] = ["sdk", "ddl", "flink"];

export interface PreviewParams {
  uri: string;
  kind: PreviewKind;
  target?: string;
}

export interface PreviewResult {
  text: string;
  language: "python" | "sql";
  title: string;
}

export class ProtocolError extends Error {
  override name = "ProtocolError";
}

export function buildGenerateArgs(
  kinds: readonly GeneratorKind[],
  scope: GenerateScope,
  uri: string | undefined,
): GenerateArgs {
  if (kinds.length === 0) {
    throw new ProtocolError("nothing to generate: no generator kinds selected");
  }
  if (scope === "file") {
    if (uri === undefined) {
      throw new ProtocolError("file generation needs the URI of a .proto file");
    }
    return { uri, scope, kinds: [...kinds] };
  }
  // A workspace run needs no URI; leaving it out keeps the request unambiguous.
  return { scope, kinds: [...kinds] };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

export function parseGenerateResult(value: unknown): GenerateResult {
  if (typeof value !== "object" || value === null) {
    throw new ProtocolError(`${GENERATE_COMMAND} returned ${JSON.stringify(value)}, not an object`);
  }
  const record = value as Record<string, unknown>;
  const { written, unchanged, errors } = record;
  if (!isStringArray(written) || !isStringArray(unchanged)) {
    throw new ProtocolError(`${GENERATE_COMMAND} result lacks the "written"/"unchanged" lists`);
  }
  if (typeof errors !== "number" || !Number.isInteger(errors) || errors < 0) {
    throw new ProtocolError(`${GENERATE_COMMAND} result has no valid "errors" count`);
  }
  return { written, unchanged, errors };
}

export interface ResultSummary {
  level: "info" | "warning" | "error";
  message: string;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** One line for the notification after a generate run. */
export function summarizeGenerateResult(result: GenerateResult, label: string): ResultSummary {
  const parts = [`${plural(result.written.length, "file")} written`];
  if (result.unchanged.length > 0) {
    parts.push(`${result.unchanged.length} unchanged`);
  }
  if (result.errors > 0) {
    return {
      level: "error",
      message:
        `EventAPI ${label}: ${plural(result.errors, "error")} stopped generation for the ` +
        `affected files (see the Problems panel); ${parts.join(", ")}.`,
    };
  }
  if (result.written.length === 0 && result.unchanged.length === 0) {
    return {
      level: "warning",
      message: `EventAPI ${label}: nothing to generate (no service carries an eventapi server option).`,
    };
  }
  return { level: "info", message: `EventAPI ${label}: ${parts.join(", ")}.` };
}

export function parsePreviewResult(value: unknown): PreviewResult {
  if (typeof value !== "object" || value === null) {
    throw new ProtocolError(`${PREVIEW_REQUEST} returned ${JSON.stringify(value)}, not an object`);
  }
  const { text, language, title } = value as Record<string, unknown>;
  if (typeof text !== "string") {
    throw new ProtocolError(`${PREVIEW_REQUEST} result has no "text"`);
  }
  if (language !== "python" && language !== "sql") {
    throw new ProtocolError(`${PREVIEW_REQUEST} result has language ${JSON.stringify(language)}`);
  }
  return { text, language, title: typeof title === "string" ? title : "" };
}
