import { Page } from '../components/Page';
import { useT } from '../i18n';
import { Link } from '../router';

export function NotFound() {
  const t = useT();
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/" className="button">
          {t('notFound.home')}
        </Link>
      </p>
    </Page>
  );
}
