-- Issue 14: an offer went to a courier who was not connected, while a connected one saw nothing.
-- Offers now go only to couriers seen recently: last_seen_at is stamped while a courier's screen
-- is connected (on connect, every third of the grace, and when the last socket closes).
alter table couriers add column last_seen_at timestamptz;

-- An unanswered offer moves on within seconds, not a minute. Shops still on the old default
-- move to the new one; a value someone chose stays.
alter table shops alter column dispatch_offer_seconds set default 20;
update shops set dispatch_offer_seconds = 20 where dispatch_offer_seconds = 60;
