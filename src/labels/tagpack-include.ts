/**
 * `header: !include header.yaml` as the GraphSense tagpack-tool resolves it, without leaving the pack's
 * folder tree. The tool resolves against the deepest ancestor folder holding a `header.yaml` (directory
 * mode) or the pack repository root (a folder named `packs` or holding `.git`, at most 3 levels up);
 * here the path is tried from the pack's own folder upwards to that root and the deepest hit wins.
 * Absolute paths, `..` past the root and symlinks pointing outside it are refused.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import { BadInputError } from "../errors.ts";
import { graphSenseYamlOptions, type IncludeResolver } from "./yaml11.ts";

/** graphsense-lib find_pack_root: at most this many ascents to a `packs` folder or a git checkout. */
const MAX_ASCENTS = 3;

/** The folder tree a pack may include from: its repository root, else its own folder. */
export function packRoot(packDir: string): string {
  let d = packDir;
  for (let i = 0; i <= MAX_ASCENTS; i++) {
    if (basename(d) === "packs" || existsSync(join(d, ".git"))) return d;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return packDir;
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === "" || (!r.startsWith(`..${sep}`) && r !== ".." && !isAbsolute(r));
}

/** Resolves `!include` for the pack at `file`: included files are plain mappings (no nested includes). */
export function tagPackIncludeResolver(file: string): IncludeResolver {
  const dir = dirname(realpathSync(file));
  const root = packRoot(dir);
  return (path: string) => {
    if (isAbsolute(path)) throw new BadInputError(`!include ${path}: an absolute path is not allowed`);
    for (let d = dir; inside(root, d); d = dirname(d)) {
      const candidate = resolve(d, path);
      if (!inside(root, candidate)) {
        throw new BadInputError(`!include ${path}: leaves the pack's folder tree (${root})`);
      }
      if (!existsSync(candidate) || !statSync(candidate).isFile()) {
        if (d === root) break;
        continue;
      }
      const real = realpathSync(candidate);
      if (!inside(root, real)) {
        throw new BadInputError(`!include ${path}: links outside the pack's folder tree (${root})`);
      }
      const doc: unknown = parseYaml(readFileSync(real, "utf8"), graphSenseYamlOptions(null));
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        throw new BadInputError(`!include ${path}: ${relative(root, real)} is not a YAML mapping`);
      }
      return doc;
    }
    throw new BadInputError(`!include ${path}: not found in ${dir} or its parent folders up to ${root}`);
  };
}
