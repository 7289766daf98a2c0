// Answers the server's workspace/configuration requests for the `eventapi` section with
// validated settings, so the server sees exactly the keys and types it defines.
import type { ServerSettings } from "./settings";
import { SERVER_SETTING_KEYS } from "./settings";

export const SECTION = "eventapi";

export interface ConfigurationItemLike {
  scopeUri?: string;
  section?: string;
}

/** The value for one requested section, or `undefined` when it is not ours to answer. */
export function answerForSection(section: string | undefined, settings: ServerSettings): unknown {
  if (section === SECTION) {
    return settings;
  }
  if (section?.startsWith(`${SECTION}.`) === true) {
    const key = section.slice(SECTION.length + 1);
    const known = SERVER_SETTING_KEYS.find((candidate) => candidate === key);
    return known === undefined ? undefined : settings[known];
  }
  return undefined;
}

/**
 * Replaces the answers for our sections in `base` (what VS Code itself would reply) by the
 * validated settings of each item's scope; other sections keep VS Code's answer.
 */
export function answerConfigurationItems(
  items: readonly ConfigurationItemLike[],
  base: readonly unknown[],
  settingsFor: (scopeUri: string | undefined) => ServerSettings,
): unknown[] {
  return items.map((item, index) => {
    const ours = answerForSection(item.section, settingsFor(item.scopeUri));
    return ours === undefined ? (base[index] ?? null) : ours;
  });
}
