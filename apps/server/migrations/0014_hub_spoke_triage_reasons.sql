-- Why triage suggested a request's speciality and urgency (the rules and list entries that
-- matched), stored with the suggestion so that the officer sees it when the draft is opened again.
alter table teleconsult_requests add column suggested_reasons jsonb not null default '[]';
