import { getTranslations } from "next-intl/server";
import { PolicyPage } from "@/components/policies/policy-page";

export async function generateMetadata() {
  const t = await getTranslations("policies");
  return { title: t("terms.title") };
}

export default function Page() {
  return <PolicyPage policy="terms" />;
}
