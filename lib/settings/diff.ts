// What a save changed, for the audit line: each changed field with its old and new value, except
// secrets, which are named only ("changed"), so the log never holds one.
export type Change = { field: string; from?: unknown; to?: unknown; secret?: true };

export function diffSettings(before: Record<string, unknown> | undefined, after: Record<string, unknown>, secrets: readonly string[] = []): Change[] {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].sort();
  const changes: Change[] = [];
  for (const field of fields) {
    const from = before?.[field];
    const to = after[field];
    if (canonical(from) === canonical(to)) continue;
    changes.push(secrets.includes(field) ? { field, secret: true } : { field, from: from ?? null, to: to ?? null });
  }
  return changes;
}

/** JSON with object keys sorted: jsonb gives keys back in its own order, so plain JSON would differ. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
