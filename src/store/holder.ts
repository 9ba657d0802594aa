import { readFileSync, rmSync, writeFileSync } from "node:fs";

/**
 * Who holds a database file. DuckDB lets one process open a file for writing (or several read-only);
 * `serve` holds it as long as it runs, so it leaves a note next to the file with its PID and URL, and
 * a command that finds the file locked can say which server holds it and where its API is.
 */
export interface ServerNote {
  pid: number;
  url: string;
  startedAt: string;
}

export function serverNotePath(db: string): string {
  return `${db}.server.json`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The note of a running server on this file; a note whose process is gone is stale (and removed). */
export function readServerNote(db: string): ServerNote | undefined {
  const path = serverNotePath(db);
  let note: ServerNote;
  try {
    note = JSON.parse(readFileSync(path, "utf8")) as ServerNote;
  } catch {
    return undefined;
  }
  if (Number.isInteger(note.pid) && alive(note.pid)) return note;
  rmSync(path, { force: true });
  return undefined;
}

/** Writes this process's note; the function returned removes it (also done when the process exits). */
export function writeServerNote(db: string, url: string): () => void {
  if (db === ":memory:") return () => undefined;
  const path = serverNotePath(db);
  const note: ServerNote = { pid: process.pid, url, startedAt: new Date().toISOString() };
  writeFileSync(path, `${JSON.stringify(note)}\n`);
  const remove = () => {
    process.off("exit", remove);
    try {
      // only our own note: another server may have started on the file since
      if ((JSON.parse(readFileSync(path, "utf8")) as ServerNote).pid === process.pid) rmSync(path);
    } catch {
      // gone already
    }
  };
  process.on("exit", remove);
  return remove;
}

/** DuckDB's "Could not set lock on file ... Conflicting lock is held in ... (PID n)": the PID. */
export function lockHolderPid(duckdbMessage: string): number | undefined {
  const m = /Could not set lock on file[\s\S]*Conflicting lock is held in [\s\S]*?\(PID (\d+)\)/.exec(
    duckdbMessage,
  );
  return m ? Number(m[1]) : undefined;
}

/** What to tell someone whose command found the file locked by process `pid`. */
export function heldMessage(db: string, pid: number): string {
  const note = readServerNote(db);
  if (note && note.pid === pid)
    return `a fundtrace server (PID ${pid}) holds ${db}: stop it, or use the API at ${note.url}`;
  return `another process (PID ${pid}) holds ${db}: wait for it to finish (a database is open to one writer, or to several readers)`;
}
