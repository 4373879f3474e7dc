import { useState, type SyntheticEvent } from 'react';
import { api, withQuery } from '../api';
import { Notice } from '../components/Notice';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import type { Opd } from '../opd/types';
import { useApi } from '../useApi';
import { useDoctorI18n } from './i18n';

/** Moves a patient to another open OPD of the state; they keep their time of arrival. */
export function Transfer({ tokenId, opd, onMoved }: { tokenId: string; opd: Opd; onMoved: (opdName: string) => void }) {
  const i18n = useDoctorI18n();
  const { t } = i18n;
  const opds = useApi<{ items: Opd[] }>(withQuery('/api/v1/opds', { stateId: opd.stateId, limit: 200 }));
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const choices = (opds.data?.items ?? []).filter((item) => item.id !== opd.id && item.openNow);
  const id = `transfer-${tokenId}`;

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (busy) return;
    const chosen = choices.find((item) => item.id === target);
    if (chosen === undefined) {
      setError(t('transfer.choose'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/api/v1/opd/tokens/${encodeURIComponent(tokenId)}/transfer`, { opdId: chosen.id });
      onMoved(chosen.name);
    } catch (failure) {
      setError(errorMessage(failure, i18n));
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate>
      {opds.data !== undefined && choices.length === 0 ? (
        <p>{t('transfer.none')}</p>
      ) : (
        <>
          <Select
            id={id}
            label={t('transfer.to')}
            hint={t('transfer.hint')}
            error={error}
            empty={t('transfer.pick')}
            options={choices.map((item) => ({
              value: item.id,
              label: item.specialityName === null ? item.name : `${item.name} (${item.specialityName})`,
            }))}
            value={target}
            onChange={(event) => setTarget(event.target.value)}
          />
          <button type="submit" className="button button-secondary" disabled={busy}>
            {t('transfer.move')}
          </button>
        </>
      )}
      {error !== undefined && choices.length === 0 && <Notice kind="error">{error}</Notice>}
    </form>
  );
}
