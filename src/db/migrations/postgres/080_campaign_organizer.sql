-- Who runs a campaign and how residents reach them, printed on posters and shown on the resident form, so a
-- resident can tell a real poster from a fake one and has someone to call. Empty until staff fill it in.
ALTER TABLE campaigns ADD COLUMN organizer_name text NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN organizer_phone text NOT NULL DEFAULT '';

-- Optionally a contact per covered community (the community's own office), used on that community's posters
-- and forms instead of the campaign's. Kept apart from campaign_communities, which is rewritten on every edit.
CREATE TABLE campaign_community_contacts (
  campaign_id bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  community_id bigint NOT NULL REFERENCES places(id),
  name text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT '',
  PRIMARY KEY (campaign_id, community_id)
);
