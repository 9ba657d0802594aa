/**
 * YAML as GraphSense reads TagPacks: YAML 1.1 with PyYAML SafeLoader's implicit types (graphsense-lib
 * loads packs with a PyYAML SafeLoader subclass). `yaml`'s own 1.1 schema is close but reads `y`/`n` as
 * booleans and `1e3`/`09` as numbers where PyYAML keeps strings, so its scalar tests are replaced by
 * PyYAML's resolver patterns (pyyaml lib/yaml/resolver.py).
 */
import type { DocumentOptions, ParseOptions, ScalarTag, SchemaOptions, Tags } from "yaml";

const T = "tag:yaml.org,2002:";

/** PyYAML's implicit resolvers, one per `yaml` 1.1 scalar tag (keyed by tag and format). */
const PY_TESTS: Record<string, RegExp> = {
  "bool:true": /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/,
  "bool:false": /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/,
  "int:BIN": /^[-+]?0b[0-1_]+$/,
  "int:OCT": /^[-+]?0[0-7_]+$/,
  "int:": /^[-+]?(?:0|[1-9][0-9_]*)$/,
  "int:HEX": /^[-+]?0x[0-9a-fA-F_]+$/,
  "int:TIME": /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/,
  "float:EXP": /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*[eE][-+][0-9]+|\.[0-9][0-9_]*[eE][-+][0-9]+)$/,
  "float:": /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/,
  "float:TIME": /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  "float:NAN": /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  "null:": /^(?:~|null|Null|NULL)?$/,
  "timestamp:":
    /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  "merge:": /^<<$/,
};
const PY_ALL = Object.values(PY_TESTS);

/** True when PyYAML reads this plain (unquoted) scalar as something other than a string. */
export function isPyYamlNonString(plain: string): boolean {
  return PY_ALL.some((re) => re.test(plain));
}

function pyKey(t: ScalarTag): string | null {
  const name = t.tag.startsWith(T) ? t.tag.slice(T.length) : null;
  if (name === null || !t.test) return null;
  if (name === "bool") return t.test.test("true") ? "bool:true" : "bool:false";
  if (name === "float" && !t.format && t.test.test(".nan")) return "float:NAN";
  return `${name}:${t.format ?? ""}`;
}

function pyYamlTags(tags: Tags): Tags {
  return tags.map((t) => {
    const key = typeof t === "object" && "test" in t && t.test ? pyKey(t as ScalarTag) : null;
    if (key === null) return t;
    const test = PY_TESTS[key];
    if (!test) throw new Error(`yaml 1.1 tag ${key} has no PyYAML counterpart`);
    return { ...(t as ScalarTag), test };
  });
}

/** A `!include PATH` tag resolved by `include` (null: includes are refused). */
export type IncludeResolver = (path: string) => unknown;

/** Options for `yaml` that read a document the way GraphSense (PyYAML SafeLoader, YAML 1.1) does. */
export function graphSenseYamlOptions(
  include: IncludeResolver | null,
): DocumentOptions & ParseOptions & SchemaOptions {
  return {
    version: "1.1",
    uniqueKeys: true,
    customTags: (tags: Tags) => [
      ...pyYamlTags(tags),
      {
        tag: "!include",
        resolve(path: string, onError: (msg: string) => void) {
          if (include === null) {
            onError(`!include ${path}: includes are resolved only for a pack read from a file`);
            return null;
          }
          return include(path);
        },
      },
    ],
  };
}
