// The e2e run's ports in one place. E2E_PORT_OFFSET shifts them all, so two runs (two people,
// or two checkouts) can share a machine; the default is what CI uses.
const offset = Number(process.env.E2E_PORT_OFFSET ?? 0);
if (!Number.isInteger(offset) || offset < 0 || offset > 500) {
  throw new Error(`E2E_PORT_OFFSET must be an integer from 0 to 500, got ${process.env.E2E_PORT_OFFSET}`);
}

export const ports = {
  postgres: 3100 + offset,
  pglite: 3101 + offset,
  second: 3102 + offset,
  sandbox: 4110 + offset,
  smtp: 2526 + offset,
};

// Ports that fetch() refuses to connect to (the Fetch standard's "bad ports") within our ranges.
const badPorts = new Set([4190]);
for (const [name, port] of Object.entries(ports)) {
  if (badPorts.has(port)) throw new Error(`E2E_PORT_OFFSET=${offset} puts the ${name} server on port ${port}, which fetch() refuses: pick another offset`);
}

/** The PostgreSQL-backed app that most specs drive. */
export const appUrl = `http://localhost:${ports.postgres}`;
/** The second instance on the same database. */
export const secondAppUrl = `http://localhost:${ports.second}`;
export const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
