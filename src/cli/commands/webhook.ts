import type { Command } from "commander";
import { BadInputError } from "../../errors.ts";
import type { Cli } from "../context.ts";
import { table } from "../output.ts";

/** `webhook add URL --secret-env VAR | list | delete ID`: where alerts are posted, signed. */
export function webhookCommand(program: Command, cli: Cli): void {
  const wh = program
    .command("webhook")
    .description("where alerts are posted (JSON, signed with HMAC-SHA256)");
  wh.command("add")
    .description("add a webhook; its secret is read from an environment variable, stored, and never shown")
    .argument("<url>", "https URL (http only for 127.0.0.1, ::1 or localhost)")
    .requiredOption("--secret-env <var>", "environment variable that holds the signing secret")
    .action(async (url: string, o: { secretEnv: string }) => {
      const secret = process.env[o.secretEnv];
      if (!secret)
        throw new BadInputError(
          `environment variable ${o.secretEnv} is not set (it holds the webhook secret)`,
        );
      const w = await (await cli.open()).watch.webhooks.add(url, secret);
      cli.out(w, () => `added webhook ${w.id}: ${w.url} (secret ${w.fingerprint})\n`);
    });
  wh.command("list").action(async () => {
    const ws = await (await cli.open()).watch.webhooks.list();
    cli.out({ webhooks: ws }, () =>
      table(
        ["id", "url", "secret", "pending", "delivered", "failed", "last error"],
        ws.map((w) => [
          w.id,
          w.url,
          w.fingerprint,
          w.deliveries.pending,
          w.deliveries.delivered,
          w.deliveries.failed,
          w.lastError ?? "",
        ]),
      ),
    );
  });
  wh.command("delete")
    .argument("<id>")
    .action(async (id: string) => {
      await (await cli.open()).watch.webhooks.delete(id);
      cli.out({ deleted: id }, () => `deleted webhook ${id} and its pending deliveries\n`);
    });
}
