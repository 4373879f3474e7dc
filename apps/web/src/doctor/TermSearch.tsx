import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { api, withQuery } from '../api';
import { useDoctorI18n } from './i18n';

/**
 * Search as you type in a coded list (complaints, ICD-10 diagnoses): a combobox whose options
 * are chosen with the arrow keys and Enter, or by a tap. One request per pause in typing.
 */
export function TermSearch<T>(props: {
  id: string;
  label: string;
  hint: string;
  path: string;
  itemKey: (item: T) => string;
  render: (item: T) => string;
  onPick: (item: T) => void;
  testId?: string;
}) {
  const { t } = useDoctorI18n();
  const listId = useId();
  const [text, setText] = useState('');
  const [items, setItems] = useState<T[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState('');
  const query = text.trim();

  useEffect(() => {
    if (query === '') {
      setItems([]);
      setStatus('');
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api
        .get<{ items: T[] }>(withQuery(props.path, { q: query, limit: 10 }), { signal: controller.signal })
        .then(({ items: found }) => {
          setItems(found);
          setActive(found.length > 0 ? 0 : -1);
          setOpen(true);
          setStatus(found.length === 0 ? t('search.none') : t('search.count', { count: found.length }));
        })
        .catch(() => {
          if (!controller.signal.aborted) setStatus(t('search.failed'));
        });
    }, 250);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [query, props.path, t]);

  const pick = (item: T) => {
    props.onPick(item);
    setText('');
    setItems([]);
    setOpen(false);
    setStatus(t('search.added', { name: props.render(item) }));
  };

  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' && items.length > 0) {
      event.preventDefault();
      setOpen(true);
      setActive((index) => (index + 1) % items.length);
    } else if (event.key === 'ArrowUp' && items.length > 0) {
      event.preventDefault();
      setActive((index) => (index <= 0 ? items.length - 1 : index - 1));
    } else if (event.key === 'Enter') {
      // Enter chooses; it never submits the whole record by accident.
      event.preventDefault();
      const item = items[active];
      if (open && item !== undefined) pick(item);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && items.length > 0;
  return (
    <div className="field term-search">
      <label htmlFor={props.id}>{props.label}</label>
      <p id={`${props.id}-hint`} className="hint">
        {props.hint}
      </p>
      <input
        id={props.id}
        className="input"
        type="search"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-describedby={`${props.id}-hint`}
        aria-activedescendant={showList && active >= 0 ? `${listId}-${String(active)}` : undefined}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKey}
        onFocus={() => setOpen(true)}
        data-testid={props.testId}
      />
      <p className="visually-hidden" role="status">
        {status}
      </p>
      <ul id={listId} role="listbox" aria-label={props.label} className="term-results" hidden={!showList}>
        {items.map((item, index) => (
          <li
            key={props.itemKey(item)}
            id={`${listId}-${String(index)}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? 'term-option term-active' : 'term-option'}
            // Keep the focus in the box: choose on press, before the input would blur.
            onMouseDown={(event) => {
              event.preventDefault();
              pick(item);
            }}
            data-testid={props.testId === undefined ? undefined : `${props.testId}-option`}
          >
            {props.render(item)}
          </li>
        ))}
      </ul>
    </div>
  );
}
