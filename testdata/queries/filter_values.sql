-- A value compared with a filter only the API applies must be one it
-- takes. The images list's type (distribution, application) shares its
-- name with the type field (base, snapshot, backup, custom, admin): a value
-- of neither would match nothing, and is refused before any request; one
-- that differs from a value in case only is named with the value to write
-- (strings compare case-sensitively: nothing is corrected and sent).
SELECT count(*) FROM digitalocean.images.images WHERE type = 'Distribution';
SELECT count(*) FROM digitalocean.images.images WHERE type IN ('Distribution', 'application');
SELECT count(*) FROM digitalocean.images.images WHERE type = 'application' OR type = 'APPLICATION';
SELECT count(*) FROM digitalocean.images.images WHERE type = 'Snapshot';
SELECT count(*) FROM digitalocean.images.images WHERE type = 'foo';
-- The values themselves: the filter's is sent, the field's compared.
SELECT count(*) FROM digitalocean.images.images WHERE type = 'distribution';
SELECT count(*) FROM digitalocean.images.images WHERE type = 'snapshot';
SELECT count(*) FROM digitalocean.images.images WHERE type LIKE 'snap%';
-- A filter with no field of its name (the Droplets list's type: droplets,
-- gpus) takes its values only.
SELECT count(*) FROM digitalocean.droplets.droplets WHERE type = 'Gpus';
SELECT count(*) FROM digitalocean.droplets.droplets WHERE type = 'vms';
