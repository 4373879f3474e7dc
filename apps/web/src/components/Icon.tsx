/** An icon from ./icons. Icons sit beside words, never instead of them, so readers skip them. */

export function Icon({ d, className }: { d: string; className?: string }) {
  return (
    <svg
      className={className === undefined ? 'icon' : `icon ${className}`}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={d} />
    </svg>
  );
}

/** The Sanjog mark: a ring (people joined up) around a health cross. Same drawing as the app icon. */
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
      <rect width="48" height="48" rx="11" fill="#ffffff" />
      <circle cx="24" cy="24" r="15" fill="none" stroke="#00577a" strokeWidth="4.5" />
      <path d="M24 15.5v17M15.5 24h17" stroke="#00577a" strokeWidth="5" strokeLinecap="round" />
    </svg>
  );
}
