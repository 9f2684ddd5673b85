-- Every app server learns the corrections made on the others: each looks for lessons newer than the last it saw
-- (at most once a second), which this index keeps cheap however many corrections there are.
CREATE INDEX classifier_corrections_time ON classifier_corrections(created_at);
