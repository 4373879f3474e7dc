import { useEffect, useRef, type ReactNode } from 'react';
import { useT } from '../i18n';
import { hasNavigated } from '../router';

/**
 * One screen: sets the document title and, after an in-app navigation, moves focus to the
 * heading so that a screen reader announces the new page (a full load starts at the top).
 */
export function Page({ title, children }: { title: string; children: ReactNode }) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = `${title} · ${t('app.titleSuffix')}`;
  }, [title, t]);

  useEffect(() => {
    if (hasNavigated()) heading.current?.focus({ preventScroll: true });
  }, []);

  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
  );
}
