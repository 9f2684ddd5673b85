-- Serving a photo checks which submission owns it; without this index that is a scan of every submission.
CREATE INDEX submissions_photo ON submissions(photo_file) WHERE photo_file IS NOT NULL;
