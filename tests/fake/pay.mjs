// The fake's WeChat Pay API v3 (prepay, query, refunds, signed and encrypted notifies): see wechat.mjs.

// Called once at start, before listening: make keys for the run in ctx.dir.
export async function init(ctx) {}

// Answer req if its path is this module's and return true; else false.
export async function handle(req, res, raw, url, ctx) {
  return false;
}
