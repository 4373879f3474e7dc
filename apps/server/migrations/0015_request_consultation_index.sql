-- A consultation's hub-and-spoke request (who presented the patient: call participants, the
-- prescription's "presented by"): without this each lookup scanned every request.
create index teleconsult_requests_consultation_idx on teleconsult_requests (consultation_id)
  where consultation_id is not null;
