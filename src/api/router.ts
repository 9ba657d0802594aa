import { OpenAPIHono, z } from "@hono/zod-openapi";
import { inputError } from "../services/trace-input.ts";
import type { Role } from "./auth.ts";
import { ErrorSchema } from "./schemas.ts";

/**
 * What a request carries besides its input: the audit name of the API key that made it, and the
 * key's role once it is accepted.
 */
export interface AppEnv {
  Variables: { keyId?: string; role?: Role };
}

/** A sub-app for one resource; a request that fails its schema becomes a 400 through the app's onError. */
export function router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw inputError(result.error);
    },
  });
}

export function errorContent(description: string) {
  return { description, content: { "application/json": { schema: ErrorSchema } } };
}

export function jsonContent<S extends z.ZodType>(description: string, schema: S) {
  return { description, content: { "application/json": { schema } } };
}

/** A body of plain text in each of these media types (YAML, CSV, GraphML). */
export function textContent<T extends string>(description: string, ...types: T[]) {
  const content = {} as Record<T, { schema: z.ZodString }>;
  for (const t of types) content[t] = { schema: z.string() };
  return { description, content };
}

/** What any authenticated route with input may answer besides its success. */
export const INPUT_ERRORS = {
  400: errorContent("bad input"),
  401: errorContent("no API key"),
  403: errorContent("key not accepted, or its role is below the route's"),
};
