-- Soft delete of projects (issue 15): a project deleted with its data services is hidden (404)
-- and its data services are soft-deleted at the same instant (deleted_at equal to the project's),
-- so that undeleting the project undeletes exactly those. The row is removed once the window has
-- closed and every data service of the project is purged. The slug stays taken until then.
ALTER TABLE projects ADD COLUMN deleted_at timestamptz;
ALTER TABLE projects ADD COLUMN purge_at timestamptz;
CREATE INDEX projects_purge_due ON projects (purge_at) WHERE deleted_at IS NOT NULL;
