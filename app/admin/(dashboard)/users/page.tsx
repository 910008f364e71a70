// User management (admins only): the staff list and, per user, role, activation and password
// reset; a form to create users. Cards rather than a wide table, so a phone needs no sideways scroll.
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db/client";
import { listStaffUsers } from "@/db/queries/users";
import { requireStaff } from "@/lib/auth/guard";
import { changeRoleAction, createUserAction, resetPasswordAction, setActiveAction } from "./actions";
import { UserForm } from "./user-form";

export async function generateMetadata() {
  const t = await getTranslations("users");
  return { title: t("title") };
}

const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm";
const roles = ["staff", "admin"] as const;

export default async function UsersPage() {
  const me = await requireStaff("admin");
  const users = await listStaffUsers(await getDb());
  const t = await getTranslations("users");
  const tAdmin = await getTranslations("admin");
  const format = await getFormatter();

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>

      <section aria-labelledby="users-list" className="space-y-3">
        <h2 id="users-list" className="text-lg font-semibold">
          {t("list.heading", { count: users.length })}
        </h2>
        <ul className="space-y-3">
          {users.map((user) => {
            const self = user.id === me.id;
            return (
              <li key={user.id} data-testid="user-row" data-email={user.email} className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <div className="min-w-0">
                    <p className="font-semibold break-words">
                      {user.name} {self && <span className="font-normal text-stone-600">{t("you")}</span>}
                    </p>
                    <p className="text-sm break-all text-stone-700">{user.email}</p>
                  </div>
                  <div className="flex flex-wrap gap-2 text-xs">
                    <span className="rounded-full bg-stone-100 px-2 py-0.5 font-medium text-stone-800" data-testid="user-role">
                      {tAdmin(`roles.${user.role}`)}
                    </span>
                    <span
                      className={`rounded-full px-2 py-0.5 font-medium ${user.active ? "bg-emerald-100 text-emerald-900" : "bg-stone-200 text-stone-700"}`}
                      data-testid="user-status"
                    >
                      {user.active ? t("list.active") : t("list.inactive")}
                    </span>
                  </div>
                </div>
                <p className="mt-1 text-xs text-stone-600">
                  {user.lastSignInAt
                    ? t("list.lastSignIn", { date: format.dateTime(user.lastSignInAt, { dateStyle: "medium", timeStyle: "short" }) })
                    : t("list.never")}
                </p>
                {!self && (
                  <details className="mt-3">
                    <summary className="cursor-pointer text-sm font-medium text-brand-700">{t("list.manage", { name: user.name })}</summary>
                    <div className="mt-3 grid gap-4 sm:grid-cols-3">
                      <UserForm action={changeRoleAction} testId="role-form" submitLabel={t("actions.roleSubmit")} variant="secondary">
                        <input type="hidden" name="userId" value={user.id} />
                        <div className="space-y-1">
                          <label htmlFor={`role-${user.id}`} className="block text-sm font-medium">
                            {t("actions.role")}
                          </label>
                          <select id={`role-${user.id}`} name="role" defaultValue={user.role} className={inputClass}>
                            {roles.map((role) => (
                              <option key={role} value={role}>
                                {tAdmin(`roles.${role}`)}
                              </option>
                            ))}
                          </select>
                        </div>
                      </UserForm>
                      <UserForm
                        action={setActiveAction}
                        testId="active-form"
                        submitLabel={user.active ? t("actions.deactivate") : t("actions.reactivate")}
                        confirm={user.active ? t("actions.deactivateConfirm") : undefined}
                        variant="secondary"
                      >
                        <input type="hidden" name="userId" value={user.id} />
                        <input type="hidden" name="active" value={user.active ? "false" : "true"} />
                      </UserForm>
                      <UserForm action={resetPasswordAction} testId="reset-form" submitLabel={t("actions.resetSubmit")} variant="secondary">
                        <input type="hidden" name="userId" value={user.id} />
                        <input type="hidden" name="email" value={user.email} />
                        <div className="space-y-1">
                          <label htmlFor={`reset-${user.id}`} className="block text-sm font-medium">
                            {t("actions.resetPassword")}
                          </label>
                          <input
                            id={`reset-${user.id}`}
                            name="password"
                            type="password"
                            autoComplete="new-password"
                            aria-describedby={`reset-${user.id}-hint`}
                            className={inputClass}
                          />
                          <p id={`reset-${user.id}-hint`} className="text-xs text-stone-600">
                            {t("actions.resetHint")}
                          </p>
                        </div>
                      </UserForm>
                    </div>
                  </details>
                )}
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="users-create" className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
        <h2 id="users-create" className="mb-3 text-lg font-semibold">
          {t("create.legend")}
        </h2>
        <UserForm action={createUserAction} testId="create-user-form" submitLabel={t("create.submit")}>
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="space-y-1">
              <label htmlFor="new-name" className="block text-sm font-medium">
                {t("create.name")}
              </label>
              <input id="new-name" name="name" required maxLength={120} autoComplete="off" className={inputClass} />
            </div>
            <div className="space-y-1">
              <label htmlFor="new-email" className="block text-sm font-medium">
                {t("create.email")}
              </label>
              <input id="new-email" name="email" type="email" required maxLength={254} autoComplete="off" className={inputClass} />
            </div>
            <div className="space-y-1">
              <label htmlFor="new-role" className="block text-sm font-medium">
                {t("create.role")}
              </label>
              <select id="new-role" name="role" defaultValue="staff" className={inputClass}>
                {roles.map((role) => (
                  <option key={role} value={role}>
                    {tAdmin(`roles.${role}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="space-y-1">
              <label htmlFor="new-password" className="block text-sm font-medium">
                {t("create.password")}
              </label>
              <input
                id="new-password"
                name="password"
                type="password"
                autoComplete="new-password"
                aria-describedby="new-password-hint"
                className={inputClass}
              />
              <p id="new-password-hint" className="text-xs text-stone-600">
                {t("create.passwordHint")}
              </p>
            </div>
          </div>
        </UserForm>
      </section>
    </div>
  );
}
