// A new course: the same form as editing, empty, starting as a draft (not on the catalog yet).
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { courseStatus } from "@/db/schema";
import { requireStaff } from "@/lib/auth/guard";
import { createCourseAction } from "../actions";
import { CourseForm } from "../course-form";

export async function generateMetadata() {
  const t = await getTranslations("courses");
  return { title: t("newTitle") };
}

export default async function NewCoursePage() {
  await requireStaff();
  const t = await getTranslations("courses");
  return (
    <div className="space-y-6">
      <Link href="/admin/courses" className="text-sm text-stone-700 underline-offset-4 hover:underline">
        ← {t("back")}
      </Link>
      <section className="min-w-0 rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
        <h1 className="mb-4 text-2xl font-bold">{t("newTitle")}</h1>
        <CourseForm
          action={createCourseAction}
          statuses={courseStatus.enumValues}
          initial={{
            code: "",
            name: "",
            description: "",
            level: "",
            schedule: "",
            startDate: "",
            endDate: "",
            capacity: "",
            enrollmentFee: "",
            monthlyFee: "",
            status: "draft",
            minAge: "",
            maxAge: "",
            campusCourseId: "",
          }}
        />
      </section>
    </div>
  );
}
