"use client";
// The page-wide place where the people forms announce a success. Most of these actions make
// their own form disappear (a resolved item leaves the open tab, a cancelled enrollment loses its
// cancel form), so the form cannot say "done" itself: it tells this region, which stays mounted
// and is read out (role=status).
import { createContext, useCallback, useState } from "react";

export const AnnounceContext = createContext<((message: string) => void) | undefined>(undefined);

export function OutcomeAnnouncer({ children }: { children: React.ReactNode }) {
  const [message, setMessage] = useState("");
  const announce = useCallback((text: string) => setMessage(text), []);
  return (
    <AnnounceContext.Provider value={announce}>
      <p
        role="status"
        data-testid="people-outcome"
        className={
          message ? "sticky top-0 z-10 mb-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 shadow-sm" : "sr-only"
        }
      >
        {message}
      </p>
      {children}
    </AnnounceContext.Provider>
  );
}
