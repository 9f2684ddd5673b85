-- Dashboard issue figures for a campaign, whole or limited to a community's staff: the issues of the campaign in
-- the user's communities, read from the index alone (the claims and ratings joins start from it).
CREATE INDEX issues_campaign_community ON issues(campaign_id, community_id, status);
