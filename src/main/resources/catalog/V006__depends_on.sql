-- The backup each incremental or differential backup restores on top of (the manifest's
-- depends_on), indexed so that the chains of a repository are found without reading manifests.
-- Filled from the manifests already indexed; `catalog rebuild` fills it from the repository alone.
ALTER TABLE backup ADD COLUMN depends_on text;
UPDATE backup SET depends_on = manifest->>'depends_on' WHERE manifest ? 'depends_on';
CREATE INDEX backup_depends_on ON backup (repository, depends_on) WHERE depends_on IS NOT NULL;
