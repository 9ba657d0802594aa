export type SniffedLabelFormat = "ofac-sdn" | "tagpack" | "nbctf" | "csv" | "evm-labels";

function headerCells(line: string): string[] {
  return line.split(",").map((c) => c.trim().replace(/^"|"$/g, "").toLowerCase());
}

/**
 * Label file format from its path and first bytes (decompressed text; for raw .gz/.bz2 bytes only the
 * file name is used). null when unknown.
 */
export function sniffLabelFormat(path: string, head: string): SniffedLabelFormat | null {
  const name = path.toLowerCase();
  const compressed =
    head.startsWith("\u001f\u008b") || head.startsWith("\u001f\ufffd") || head.startsWith("BZh");
  if (compressed) {
    const inner = name.replace(/\.(gz|bz2)$/, "");
    if (/\.ya?ml$/.test(inner) && !inner.includes("actorpack")) return "tagpack";
    if (/\.xml$/.test(inner) && /sdn/.test(inner)) return "ofac-sdn";
    return null;
  }
  const text = head.replace(/^\ufeff/, "").trimStart();

  if (text.startsWith("<")) return /<Sanctions[\s>]/.test(text) ? "ofac-sdn" : null;
  if (text.startsWith("[")) return /"chain_explorer"\s*:/.test(text) ? "evm-labels" : null;
  if (text.startsWith("{")) {
    // brianleect shape: {"0x…": {"categories": [...], "labels": [...], "name": …}}
    const evm =
      /^\{\s*"0x[0-9a-fA-F]{40}"\s*:\s*\{/.test(text) && /"(categories|labels)"\s*:\s*\[/.test(text);
    return evm ? "evm-labels" : null;
  }

  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  if (firstLine.includes(",")) {
    const cols = headerCells(firstLine);
    if (cols[0] === "order_id" && cols[1] === "address" && cols[2] === "address_format") return "nbctf";
    if (cols[0] === "currency" && cols[1] === "address" && cols[2] === "sdn_uid") return "ofac-sdn";
    if (cols[0] === "chain" && cols[1] === "address") return "csv";
  }

  // TagPack YAML: a top-level tags list, or a header cut off before it
  if (/^tags\s*:/m.test(text)) return "tagpack";
  const yamlName = /\.ya?ml$/.test(name) && !name.includes("actorpack");
  if (yamlName && /^title\s*:/m.test(text) && /^creator\s*:/m.test(text) && !/^actors\s*:/m.test(text))
    return "tagpack";
  return null;
}
