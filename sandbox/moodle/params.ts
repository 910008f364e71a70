// Moodle's REST parameter encoding: flat form fields with PHP-style brackets
// (`users[0][username]=ana`, `values[0]=x`) decoded into nested objects and arrays, the way PHP
// builds $_POST before Moodle's external API validates it.
export type ParamValue = string | ParamValue[] | { [key: string]: ParamValue };
export type ParamObject = { [key: string]: ParamValue };

/** Decodes `a[0][b]=1&a[1][b]=2&c=3` into `{ a: [{ b: "1" }, { b: "2" }], c: "3" }`. */
export function decodeBracketParams(fields: Iterable<[string, string]>): ParamObject {
  const root: ParamObject = {};
  for (const [name, value] of fields) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
    if (!match) continue;
    const keys = [match[1] ?? "", ...[...(match[2] ?? "").matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? "")];
    assign(root, keys, value);
  }
  return normaliseArrays(root);
}

function assign(target: ParamObject, keys: string[], value: string): void {
  let node: ParamObject = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      // PHP: the first value of a scalar field wins only if repeated with []; we keep the last, as PHP does.
      node[key] = value;
      return;
    }
    const next = node[key];
    if (next === undefined || typeof next === "string" || Array.isArray(next)) {
      const created: ParamObject = {};
      node[key] = created;
      node = created;
    } else {
      node = next;
    }
  });
}

/** Objects whose keys are exactly 0..n-1 become arrays (PHP lists), recursively. */
function normaliseArrays(value: ParamObject): ParamObject {
  const out: ParamObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = normaliseValue(v);
  return out;
}

function normaliseValue(value: ParamValue): ParamValue {
  if (typeof value === "string" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const isList = keys.length > 0 && keys.every((k, i) => k === String(i));
  if (isList) return keys.map((k) => normaliseValue(value[k] ?? ""));
  return normaliseArrays(value);
}

/** The list under `name` (absent → empty). A single object given without an index is not a list. */
export function listParam(params: ParamObject, name: string): ParamValue[] | undefined {
  const v = params[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : undefined;
}

export function objectParam(value: ParamValue | undefined): ParamObject | undefined {
  return value !== undefined && typeof value !== "string" && !Array.isArray(value) ? value : undefined;
}

export function stringParam(value: ParamValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}
