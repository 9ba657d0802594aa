import { main } from "./main.ts";

const code = await main(process.argv.slice(2));
// Exit once output is flushed: idle keep-alive sockets and timers of HTTP clients must not hold a
// finished command open.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
