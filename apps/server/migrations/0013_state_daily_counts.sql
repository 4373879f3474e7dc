-- A state's daily consultation counts (overseers' dashboard): the state index carries kind and
-- status, so that counting a month of a large state is an index-only scan instead of one heap
-- page per consultation (at 1 crore consultations, Uttar Pradesh's 30 days touch ~1.35 lakh).
create index consultations_state_day_idx on consultations (state_id, started_at) include (kind, status);
drop index consultations_state_idx;
