import { useId, type ReactNode } from 'react';
import { useT } from '../i18n';
import { Link } from '../router';
import { Icon } from './Icon';

/**
 * A home card: what a role does, with a live glimpse of it. With `to`, the title is the link to
 * the full page; without content or link, the feature is still coming and says so.
 */
export function Card(props: {
  name: string;
  title: string;
  body: string;
  /** An icon path (24 × 24). */
  icon: string;
  to?: string | undefined;
  children?: ReactNode;
}) {
  const t = useT();
  const headingId = useId();
  const ready = props.to !== undefined || props.children !== undefined;
  return (
    <article
      className={ready ? 'card' : 'card card-soon'}
      data-testid={`card-${props.name}`}
      data-status={ready ? 'ready' : 'coming-soon'}
      aria-labelledby={headingId}
    >
      <div className="card-head">
        <Icon d={props.icon} className="card-icon" />
        <h3 id={headingId}>
          {props.to === undefined ? (
            props.title
          ) : (
            <Link to={props.to} className="card-link" data-testid={`card-${props.name}-link`}>
              {props.title}
            </Link>
          )}
        </h3>
        {!ready && <span className="badge">{t('home.comingSoon')}</span>}
      </div>
      <p className="card-body">{props.body}</p>
      {props.children}
    </article>
  );
}
