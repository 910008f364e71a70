// Runs a background job now through its cron route, instead of waiting for the next minute.
import { expect } from "@playwright/test";
import { appUrl } from "./ports";

export async function runJob(job: "deliver-messages" | "provision-campus" | "expire-holds" | "reconcile-payments") {
  const response = await fetch(`${appUrl}/api/cron/${job}`, { method: "POST", headers: { authorization: "Bearer e2e-cron-secret-0123456789" } });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { report: unknown };
}
