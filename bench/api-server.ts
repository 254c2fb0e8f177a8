import { startApiServer } from '../src/api/server';
import { openStore } from '../src/store/open';

/** The API in its own process for the load benchmark, so the load generator does not share its event loop. */
async function main(): Promise<void> {
  const db = await openStore(process.env.REFINERY_DATABASE_URL!);
  const api = await startApiServer(db, {
    port: Number(process.env.REFINERY_API_PORT ?? 0),
    bootstrapToken: process.env.REFINERY_API_TOKEN,
  });
  console.log(JSON.stringify({ url: api.url }));
  process.once(
    'SIGTERM',
    () =>
      void api
        .close()
        .then(() => db.close())
        .then(() => process.exit(0)),
  );
}

void main();
