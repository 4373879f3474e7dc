-- "Call next" asks, on every call, which patient a doctor holds now; the day's index of a doctor's
-- tokens would scan all of them. This one holds only the few tokens in a doctor's hands.
create index opd_tokens_held_idx on opd_tokens (practitioner_id) where status in ('called', 'in_consultation');
