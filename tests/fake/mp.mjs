// The fake's mini-program and official-account APIs (jscode2session, phone numbers, access tokens, jsapi tickets): see wechat.mjs.

// Called once at start, before listening: make keys for the run in ctx.dir.
export async function init(ctx) {}

// Answer req if its path is this module's and return true; else false.
export async function handle(req, res, raw, url, ctx) {
  return false;
}
