/** Secrets never reach a message, a log line or a stored URL. */
const SECRET_PARAMS = /^(api[-_]?key|apikey|key|token|access[-_]?token|auth|secret|password)$/i;

export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/([?&](?:api[-_]?key|apikey|key|token|access[-_]?token)=)[^&#\s]*/gi, "$1REDACTED");
  }
  if (u.username || u.password) {
    u.username = "REDACTED";
    u.password = "";
  }
  for (const k of [...u.searchParams.keys()]) if (SECRET_PARAMS.test(k)) u.searchParams.set(k, "REDACTED");
  return u.toString();
}

/** Replaces every known secret value in a text (error messages from libraries may echo them). */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("REDACTED");
  return out.replace(/([?&](?:api[-_]?key|apikey|token)=)[^&#\s"']*/gi, "$1REDACTED");
}
