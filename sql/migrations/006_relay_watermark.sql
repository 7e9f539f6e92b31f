-- The relay records what it published as one watermark instead of a second update of every outbox
-- row. Seqs are assigned and published in order by a single leader, so "published up to seq N"
-- says the same thing, and each outbox row is now updated once (its seq) instead of twice:
-- measured, the second update left a dead index entry per event that the relay's own reads kept
-- walking (bench/results/2026-11-25-realtime.md).
alter table relay_state add column published_up_to bigint not null default 0;
update relay_state set published_up_to = coalesce((select max(seq) from outbox where published_at is not null), 0);
drop index outbox_unpublished_idx;
alter table outbox drop column published_at;
-- The outbox is a queue: vacuum it sooner than the 20 % default so dead entries do not pile up.
alter table outbox set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
