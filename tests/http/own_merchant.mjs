// A merchant of a test's own, for tests whose settings or jobs would
// reach other files' members on demo: the merchant row, a store, and
// demo's staff accounts copied onto it (same usernames and passwords).
import { sql } from './lib.mjs';

let seq = 0;

/** A new active merchant: {id, code}. */
export async function ownMerchant(prefix) {
  seq += 1;
  const code = `${prefix}${process.pid % 10000}${Date.now() % 100000}${seq}`;
  await sql(`INSERT INTO merchants (code, name, tz) VALUES ('${code}', '测试商户', '+08:00')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name, address) VALUES (${id}, '测试门店', '测试路 1 号')`);
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, s.username, s.name, s.role, s.password_hash FROM staff s
    JOIN merchants d ON d.id = s.merchant_id AND d.code = 'demo'`);
  return { id: Number(id), code };
}
