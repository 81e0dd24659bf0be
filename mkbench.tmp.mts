import { startLocalCluster } from '/work/main/src/sandbox/local-cluster.ts';
import { createRealisticDb } from '/work/main/bench/lib/realistic-db.ts';
import { withClient } from '/work/main/src/pg/client.ts';
const c = await startLocalCluster({ baseDir: '/tmp/pb' });

console.log(c.url);
for (const [db, mb] of [['big800', 800], ['big440', 440]] as const) {
  await withClient(c.target('postgres'), (k) => k.query(`create database ${db}`));
  await createRealisticDb(c.target(db), mb, (m) => console.error(m));
}
console.log('done', c.url);
