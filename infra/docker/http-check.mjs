// Docker health check without curl in the image: `node infra/docker/http-check.mjs <url> [json body]`.
// Exit 0 on a 2xx answer within 3 s, else 1. With a body the request is a POST (the simulator's /info).
// Plain JavaScript, not TypeScript through tsx: a check runs every few seconds inside the hot path's
// container, on its pinned cores, and plain node starts in a fraction of tsx's time.
/* global process, fetch, AbortSignal */
const [url, body] = process.argv.slice(2);
if (url === undefined) {
  process.stderr.write("usage: node infra/docker/http-check.mjs <url> [json body]\n");
  process.exit(2);
}
try {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body }),
    signal: AbortSignal.timeout(3000),
  });
  if (!response.ok) process.stderr.write(`${url}: HTTP ${response.status}\n`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
