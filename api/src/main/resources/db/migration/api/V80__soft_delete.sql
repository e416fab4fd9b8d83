-- Soft delete (issue 15). A deleted data service or environment is first *disabled*: its
-- resources are switched off on their backends but keep their data and credentials until
-- purge_at; then it is purged (deprovisioned) as a hard delete was before.
--
-- data_services.state / environments.state: active | disabled | deleting | deleted
--   disabled: soft-deleted, restorable until purge_at; deleting: being purged; deleted: gone.
-- resources.desired: present | disabled | absent
-- resources.phase:   provisioning | ready | failed | disabling | disabled | deleting | deleted
--   disabling: the provider may have disabled it in part; undelete enables it before provisioning.
--
-- Only an active data service or environment holds its name: a deleted one's name may be used
-- again at once, and undelete (by id) is refused while a live one holds it.

ALTER TABLE data_services ADD COLUMN purge_at timestamptz;
DROP INDEX data_services_live_name;
CREATE UNIQUE INDEX data_services_live_name ON data_services (project_id, type, name) WHERE state = 'active';
CREATE INDEX data_services_purge_due ON data_services (purge_at) WHERE state = 'disabled';

ALTER TABLE environments ADD COLUMN deleted_at timestamptz;
ALTER TABLE environments ADD COLUMN purge_at timestamptz;
DROP INDEX environments_live_name;
CREATE UNIQUE INDEX environments_live_name ON environments (project_id, name) WHERE state = 'active';
CREATE INDEX environments_purge_due ON environments (purge_at) WHERE state = 'disabled';

-- An auth realm of a soft-deleted data service answers 404 while this is set; its users are kept.
ALTER TABLE auth_realms ADD COLUMN disabled_at timestamptz;
