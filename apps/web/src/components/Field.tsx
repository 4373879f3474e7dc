import type { InputHTMLAttributes, Ref } from 'react';
import { Icon } from './Icon';
import { alert } from './icons';

type FieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'prefix'> & {
  id: string;
  label: string;
  hint?: string | undefined;
  /** Shown next to the field and announced as soon as it appears. */
  error?: string | undefined;
  /** Fixed text before the input, e.g. +91. */
  prefix?: string | undefined;
  ref?: Ref<HTMLInputElement> | undefined;
};

/** A labelled input whose hint and error are read out with it (aria-describedby). */
export function Field({ id, label, hint, error, prefix, ref, className, ...input }: FieldProps) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint === undefined ? null : hintId, error === undefined ? null : errorId]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={error === undefined ? 'field' : 'field field-invalid'}>
      <label htmlFor={id}>{label}</label>
      {hint !== undefined && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p id={errorId} className="field-error" role="alert">
          <Icon d={alert} /> <span>{error}</span>
        </p>
      )}
      <div className="input-row">
        {prefix !== undefined && (
          <span className="input-prefix" aria-hidden="true">
            {prefix}
          </span>
        )}
        <input
          ref={ref}
          id={id}
          className={className === undefined ? 'input' : `input ${className}`}
          aria-invalid={error === undefined ? undefined : true}
          aria-describedby={describedBy === '' ? undefined : describedBy}
          {...input}
        />
      </div>
    </div>
  );
}
