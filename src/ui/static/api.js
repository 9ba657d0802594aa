/**
 * The API client. With API keys configured the server answers 401: the page asks for a key and
 * sends it as `Authorization: Bearer`. The key lives in this module's memory only: never in a URL,
 * localStorage or sessionStorage; a reload forgets it and the page asks again.
 */
let apiKey = null;
let asking = null;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function askKey(reason) {
  if (asking) return asking;
  const dialog = document.getElementById("key-dialog");
  const form = document.getElementById("key-form");
  const input = document.getElementById("key-input");
  document.getElementById("key-reason").textContent = reason;
  input.value = "";
  asking = new Promise((resolve, reject) => {
    const done = () => {
      form.removeEventListener("submit", onSubmit);
      document.getElementById("key-cancel").removeEventListener("click", onCancel);
      dialog.close();
      asking = null;
    };
    const onSubmit = (ev) => {
      ev.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      done();
      resolve(key);
    };
    const onCancel = () => {
      done();
      reject(new ApiError(401, "UNAUTHORIZED", "an API key is needed to see this"));
    };
    form.addEventListener("submit", onSubmit);
    document.getElementById("key-cancel").addEventListener("click", onCancel);
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/**
 * fetch() against this server's API: JSON in, JSON (or text, or a blob) out; a 401, or a 403 for a
 * refused key, asks for a key and tries again; a role too low and other errors throw ApiError with
 * the server's message.
 */
export async function api(path, { method = "GET", body, as = "json", signal } = {}) {
  for (;;) {
    const headers = { accept: as === "json" ? "application/json" : "*/*" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: "same-origin",
    });
    if (res.status === 401 || res.status === 403) {
      const e = await res.json().catch(() => ({}));
      // an accepted key whose role is too low: keep it and say which role the action needs
      if (res.status === 403 && /needs the \w+ role/.test(e.error?.message ?? ""))
        throw new ApiError(403, e.error.code, e.error.message);
      apiKey = null;
      apiKey = await askKey(
        res.status === 403
          ? "That API key was not accepted. Try another."
          : (e.error?.message ?? "This fundtrace server needs an API key."),
      );
      continue;
    }
    if (!res.ok) {
      const e = await res.json().catch(() => ({}));
      throw new ApiError(res.status, e.error?.code, e.error?.message ?? `${res.status} ${res.statusText}`);
    }
    if (as === "text") return res.text();
    if (as === "blob") return res.blob();
    return res.json();
  }
}

export const enc = encodeURIComponent;

let chains;
/** The chains the server can trace: name, family, native symbol and decimals. */
export async function chainList() {
  chains ??= fetch("/ui/chains.json").then((r) => r.json());
  return chains;
}

/** The native asset of a chain, for amounts the API gives without decimals. */
export async function nativeOf(chain) {
  const c = (await chainList()).find((x) => x.name === chain);
  return c ? { symbol: c.symbol, decimals: c.decimals } : undefined;
}
