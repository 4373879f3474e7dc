-- Video calls of a consultation: the signalling room, who else was invited into it, who joined
-- and left when, the text chat kept with the consultation, and requests to be phoned back.
-- No media is stored: calls are peer to peer (or through TURN), never through the server.

create table call_rooms (
  id uuid primary key,
  consultation_id uuid not null references consultations (id),
  state_id text not null references states (id),
  room_id text not null unique,          -- 128 random bits, base64url: never derived from an id
  status text not null default 'open' check (status in ('open', 'ended')),
  created_at timestamptz not null default now(),
  ended_at timestamptz,
  check ((status = 'ended') = (ended_at is not null))
);
-- One open room per consultation: a repeated credential request (a rejoin) gets the same room.
create unique index call_rooms_open_idx on call_rooms (consultation_id) where status = 'open';

-- Participants other than the patient and the treating doctor (a second-opinion specialist, an
-- interpreter, a health officer), invited by the treating doctor.
create table call_invites (
  id uuid primary key,
  consultation_id uuid not null references consultations (id),
  state_id text not null references states (id),
  user_id uuid not null references users (id),
  role text not null check (role in ('specialist', 'interpreter', 'health_worker', 'other')),
  invited_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create unique index call_invites_live_idx on call_invites (consultation_id, user_id) where revoked_at is null;
create index call_invites_user_idx on call_invites (user_id, created_at desc);

-- Every join and leave of a call (and refusals), in order.
create table call_events (
  id bigserial primary key,
  consultation_id uuid not null references consultations (id),
  state_id text not null references states (id),
  room_id text not null,
  user_id uuid references users (id),
  participant_id text,
  event text not null check (event in ('join', 'leave', 'refused')),
  detail jsonb not null default '{}',
  at timestamptz not null default now()
);
create index call_events_consultation_idx on call_events (consultation_id, id);

-- Who is in a room now, across instances. An instance refreshes `seen_at` of its connections;
-- rows of an instance that died stop counting after a minute and a half.
create table call_presence (
  room_id text not null,
  participant_id text not null,
  user_id uuid not null,
  instance_id text not null,
  connection_id text not null,
  session text not null,                 -- the page's own id: a new one means its call state was lost
  name text not null,
  role text not null,
  seen_at timestamptz not null default now(),
  primary key (room_id, participant_id)
);
create index call_presence_instance_idx on call_presence (instance_id);

-- The text chat of a consultation, part of its record.
create table consultation_messages (
  id uuid primary key,
  consultation_id uuid not null references consultations (id),
  state_id text not null references states (id),
  sender_user_id uuid not null references users (id),
  sender_name text not null,
  sender_role text not null,
  body text not null check (length(body) between 1 and 2000),
  created_at timestamptz not null default now()
);
create index consultation_messages_idx on consultation_messages (consultation_id, created_at, id);

-- "Call me back by phone" when the video call cannot be made at all.
create table call_callbacks (
  id uuid primary key,
  consultation_id uuid not null references consultations (id),
  state_id text not null references states (id),
  requested_by uuid not null references users (id),
  phone text not null,
  note text,
  status text not null default 'open' check (status in ('open', 'done')),
  created_at timestamptz not null default now(),
  handled_at timestamptz,
  handled_by uuid references users (id),
  check ((status = 'done') = (handled_at is not null))
);
create index call_callbacks_consultation_idx on call_callbacks (consultation_id, created_at);
