-- Finding likely duplicates before registering (hub and spoke): a spelling-tolerant key of the
-- given name, indexed with the year of birth, instead of the first two letters of the name.
-- The key is the first word of the name (after a title such as Smt. or Shri) reduced to its
-- consonants: an aspirate as its plain letter (kh as k, sh as s, ph as p), c and q as k, x as ks,
-- z as j, w as v, vowels and y dropped, a letter said twice once. "Sunita", "Suneeta" and
-- "Shunita" share "snt"; "Kamla", "Kamala" and "Camla" share "kml"; "Laxmi" and "Lakshmi" "lksm".
-- A name with no Latin letters keys as its first word. Plain SQL, no extension: it runs on
-- PostgreSQL and PGlite alike.
create function patient_name_key(name text) returns text
language sql immutable strict parallel safe as $$
  select coalesce(nullif(
    regexp_replace(
      regexp_replace(
        translate(
          regexp_replace(
            replace(regexp_replace(word, '[^a-z]', '', 'g'), 'x', 'ks'),
            '([bcdfgjklmnpqrstvwxz])h', '\1', 'g'),
          'cqzw', 'kkjv'),
        '[aeiouy]', '', 'g'),
      '(.)\1+', '\1', 'g'),
    ''), word)
  from (select split_part(regexp_replace(lower(btrim(name)),
    '^((smt|shrimati|shri|shree|sri|mr|mrs|ms|km|kumari|dr|md|mohd)\.?\s+)+', ''), ' ', 1) as word) w
$$;

create index patients_name_key_idx on patients (patient_name_key(name), birth_year);
-- The same village near the year of birth, whatever the spelling of the name.
create index patients_village_year_idx on patients (lower(village), birth_year) where village is not null;
