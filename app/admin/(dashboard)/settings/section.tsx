// The frame of one settings section: its heading, what it is for, and its content.
export function Section({ title, intro, children, testId }: { title: string; intro?: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="space-y-4 rounded-xl border border-stone-200 bg-white p-4 shadow-sm sm:p-6" data-testid={testId}>
      <div className="space-y-1">
        <h2 className="text-xl font-semibold">{title}</h2>
        {intro && <p className="text-sm text-stone-600">{intro}</p>}
      </div>
      {children}
    </section>
  );
}
