import type { Ref, SelectHTMLAttributes } from 'react';
import { Icon } from './Icon';
import { alert } from './icons';

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  options: readonly { value: string; label: string }[];
  /** A first, empty choice ("Choose…"); without it the select always has a value. */
  empty?: string | undefined;
  ref?: Ref<HTMLSelectElement> | undefined;
};

/** A labelled select whose hint and error are read out with it, like Field. */
export function Select({ id, label, hint, error, options, empty, ref, className, ...select }: SelectProps) {
  const describedBy = [hint === undefined ? null : `${id}-hint`, error === undefined ? null : `${id}-error`]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={error === undefined ? 'field' : 'field field-invalid'}>
      <label htmlFor={id}>{label}</label>
      {hint !== undefined && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p id={`${id}-error`} className="field-error" role="alert">
          <Icon d={alert} /> <span>{error}</span>
        </p>
      )}
      <select
        ref={ref}
        id={id}
        className={className === undefined ? 'input select' : `input select ${className}`}
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        {...select}
      >
        {empty !== undefined && <option value="">{empty}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
