// Spanish postcodes: five digits whose first two are the province (01 Álava … 52 Melilla).

const postcodeShape = /^(0[1-9]|[1-4]\d|5[0-2])\d{3}$/;

export function normalisePostcode(value: string): string {
  return value.trim().replace(/\s/g, "");
}

export function isSpanishPostcode(value: string): boolean {
  return postcodeShape.test(normalisePostcode(value));
}
