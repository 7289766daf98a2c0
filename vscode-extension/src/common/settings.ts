// Typed settings: the server's section (sent as initializationOptions and served to
// workspace/configuration) and the client-only settings that choose how to start it.

/** Severity override values the server accepts per diagnostic code. */
export const SEVERITY_VALUES = ["error", "warning", "information", "hint", "off"] as const;
export type SeverityOverride = (typeof SEVERITY_VALUES)[number];

export const GENERATOR_KINDS = ["sdk", "sink"] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

export const FLINK_VERSIONS = ["2.0", "2.3"] as const;
export type FlinkVersion = (typeof FLINK_VERSIONS)[number];

/** The `eventapi` section the server reads; keys and defaults mirror eventapi.server.settings.DEFAULTS. */
export interface ServerSettings {
  includePaths: string[];
  outputDir: string;
  generators: GeneratorKind[];
  flinkVersion: FlinkVersion;
  severities: Record<string, SeverityOverride>;
}

/** Settings only the extension reads. */
export interface ClientSettings {
  /** `eventapi.server.path`: explicit server executable, "" = search. */
  serverPath: string;
  /** `eventapi.server.pythonPath`: interpreter for `-m eventapi.server`, "" = unused. */
  pythonPath: string;
}

export const SERVER_SETTING_KEYS = [
  "includePaths",
  "outputDir",
  "generators",
  "flinkVersion",
  "severities",
] as const satisfies readonly (keyof ServerSettings)[];

export function defaultServerSettings(): ServerSettings {
  // A fresh object each time so callers can never mutate a shared default.
  return {
    includePaths: [],
    outputDir: "gen",
    generators: ["sdk", "sink"],
    flinkVersion: "2.3",
    severities: {},
  };
}

/** The subset of vscode.WorkspaceConfiguration this module needs (keeps it testable without VS Code). */
export interface ConfigurationLike {
  get(section: string): unknown;
}

export type Warn = (message: string) => void;

const CODE_PATTERN = /^EA\d{3}$/;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (values as readonly string[]).includes(value);
}

/**
 * Validates raw settings (user JSON can hold anything) key by key: an invalid value is
 * reported through `warn` and replaced by its default, so one typo never stops the server.
 */
export function normalizeServerSettings(raw: unknown, warn: Warn): ServerSettings {
  const result = defaultServerSettings();
  if (raw === undefined || raw === null) {
    return result;
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    warn("eventapi settings must be an object; using the defaults");
    return result;
  }
  const source = raw as Record<string, unknown>;

  const includePaths = source.includePaths;
  if (includePaths !== undefined) {
    if (isStringArray(includePaths)) {
      result.includePaths = includePaths.filter((entry) => entry.trim() !== "");
    } else {
      warn("eventapi.includePaths must be a list of strings; using []");
    }
  }

  const outputDir = source.outputDir;
  if (outputDir !== undefined) {
    if (typeof outputDir === "string" && outputDir.trim() !== "") {
      result.outputDir = outputDir;
    } else {
      warn(`eventapi.outputDir must be a non-empty string; using "${result.outputDir}"`);
    }
  }

  const generators = source.generators;
  if (generators !== undefined) {
    if (Array.isArray(generators) && generators.every((g) => isOneOf(GENERATOR_KINDS, g))) {
      result.generators = [...new Set(generators)];
    } else {
      warn(`eventapi.generators must list only ${GENERATOR_KINDS.join(", ")}; using the default`);
    }
  }

  const flinkVersion = source.flinkVersion;
  if (flinkVersion !== undefined) {
    if (isOneOf(FLINK_VERSIONS, flinkVersion)) {
      result.flinkVersion = flinkVersion;
    } else {
      warn(
        `eventapi.flinkVersion must be one of ${FLINK_VERSIONS.join(", ")}; using ${result.flinkVersion}`,
      );
    }
  }

  const severities = source.severities;
  if (severities !== undefined) {
    if (typeof severities === "object" && severities !== null && !Array.isArray(severities)) {
      for (const [code, level] of Object.entries(severities as Record<string, unknown>)) {
        if (!CODE_PATTERN.test(code)) {
          warn(`eventapi.severities: "${code}" is not a diagnostic code like EA302; ignored`);
        } else if (!isOneOf(SEVERITY_VALUES, level)) {
          warn(
            `eventapi.severities.${code} must be one of ${SEVERITY_VALUES.join(", ")}; ignored`,
          );
        } else {
          result.severities[code] = level;
        }
      }
    } else {
      warn("eventapi.severities must be an object of code to severity; using {}");
    }
  }
  return result;
}

/** Reads the server section from a VS Code configuration scoped to `eventapi`. */
export function readServerSettings(config: ConfigurationLike, warn: Warn): ServerSettings {
  const raw: Record<string, unknown> = {};
  for (const key of SERVER_SETTING_KEYS) {
    raw[key] = config.get(key);
  }
  return normalizeServerSettings(raw, warn);
}

export function readClientSettings(config: ConfigurationLike): ClientSettings {
  const serverPath = config.get("server.path");
  const pythonPath = config.get("server.pythonPath");
  return {
    serverPath: typeof serverPath === "string" ? serverPath.trim() : "",
    pythonPath: typeof pythonPath === "string" ? pythonPath.trim() : "",
  };
}

/**
 * Expands `${workspaceFolder}`, `${userHome}` and a leading `~` the way VS Code users
 * expect in path settings; VS Code itself does not expand variables in settings values.
 */
export function expandPathVariables(
  value: string,
  workspaceFolder: string | undefined,
  home: string,
): string {
  let result = value.replace(/\$\{userHome\}/g, home);
  if (workspaceFolder !== undefined) {
    result = result.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  if (result === "~" || result.startsWith("~/")) {
    result = home + result.slice(1);
  }
  return result;
}
