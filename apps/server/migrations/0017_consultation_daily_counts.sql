-- Finished days of a state's daily consultation counts, kept once worked out: a past day with no
-- consultation still in progress no longer changes (consultations start "now"), so a month of a
-- large state is 60 stored rows instead of ~1.3 lakh index entries counted again on every view.
create table consultation_daily_counts (
  state_id text not null references states (id),
  day date not null,
  kind text not null check (kind in ('opd', 'hub_spoke')),
  started integer not null,
  completed integer not null,
  not_happened integer not null,
  computed_at timestamptz not null default now(),
  primary key (state_id, day, kind)
);
