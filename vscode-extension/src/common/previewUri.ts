// Addresses of preview documents: which proto, which output kind, which target, encoded
// in a URI of the `eventapi-preview` scheme so VS Code can reopen and refresh them.
import type { PreviewKind, PreviewParams } from "./protocol";
import { PREVIEW_KINDS } from "./protocol";

export const PREVIEW_SCHEME = "eventapi-preview";

const SUFFIX: Record<PreviewKind, string> = {
  sdk: ".sdk.py",
  ddl: ".ddl.sql",
  flink: ".flink.sql",
};

export const PREVIEW_LABELS: Record<PreviewKind, string> = {
  sdk: "SDK (Python)",
  ddl: "DDL (SQL)",
  flink: "Flink SQL",
};

export function previewLanguage(kind: PreviewKind): "python" | "sql" {
  return kind === "sdk" ? "python" : "sql";
}

/** Last path segment of a URI string, without `.proto`. */
function stem(sourceUri: string): string {
  const withoutQuery = sourceUri.split(/[?#]/)[0] ?? sourceUri;
  const segments = withoutQuery.split("/");
  const last = decodeURIComponent(segments[segments.length - 1] ?? "") || "preview";
  return last.endsWith(".proto") ? last.slice(0, -".proto".length) : last;
}

export interface PreviewLocation {
  /** Shown as the tab title; its extension picks the language mode. */
  path: string;
  query: string;
}

export function previewLocation(params: PreviewParams): PreviewLocation {
  const query = new URLSearchParams({ source: params.uri, kind: params.kind });
  if (params.target !== undefined && params.target !== "") {
    query.set("target", params.target);
  }
  const targetPart = params.target !== undefined && params.target !== "" ? `.${params.target}` : "";
  return { path: `/${stem(params.uri)}${targetPart}${SUFFIX[params.kind]}`, query: query.toString() };
}

/** Inverse of previewLocation; undefined for a query this extension did not write. */
export function parsePreviewQuery(query: string): PreviewParams | undefined {
  const parsed = new URLSearchParams(query);
  const source = parsed.get("source");
  const kind = parsed.get("kind");
  if (source === null || source === "" || kind === null) {
    return undefined;
  }
  const knownKind = PREVIEW_KINDS.find((candidate) => candidate === kind);
  if (knownKind === undefined) {
    return undefined;
  }
  const target = parsed.get("target");
  return target === null || target === ""
    ? { uri: source, kind: knownKind }
    : { uri: source, kind: knownKind, target };
}

/** The text shown instead of generated code when the server cannot produce it. */
export function previewErrorText(kind: PreviewKind, message: string): string {
  const comment = previewLanguage(kind) === "python" ? "#" : "--";
  const lines = [
    `${comment} EventAPI ${PREVIEW_LABELS[kind]} preview is unavailable:`,
    ...message.split(/\r?\n/).map((line) => `${comment}   ${line}`),
    `${comment} It refreshes when the .proto changes; see the Problems panel for its diagnostics.`,
  ];
  return lines.join("\n") + "\n";
}
