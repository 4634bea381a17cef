-- One create per row; arrays in data__ columns are sent as JSON arrays.
INSERT INTO digitalocean.images.images (data__name, data__region, data__url, data__distribution, data__tags)
VALUES ('base-2026', 'nyc3', 'https://example.com/base.qcow2', 'Ubuntu', '["prod","base"]'),
       ('edge-' || 'router', 'sfo3', 'https://example.com/edge.img.gz', 'Plan 9', NULL)
RETURNING id, name, type, status, distribution, regions, tags;
-- Missing required fields: one error naming them all, and no request.
INSERT INTO digitalocean.images.images (data__name) VALUES ('x');
INSERT INTO digitalocean.images.images (data__name, data__region, data__url, data__colour) VALUES ('x', 'nyc3', 'u', 'red');
INSERT INTO digitalocean.images.images (data__name, data__region, data__url, data__tags) VALUES ('x', 'nyc3', 'u', 'prod');
-- The API's own refusal (422: backups cannot be deleted) is reported with its message.
DELETE FROM digitalocean.images.images WHERE image_id = 100006;
-- INSERT ... SELECT, one create per selected row.
INSERT INTO digitalocean.images.images (data__name, data__region, data__url)
SELECT 'copy-of-' || name, 'nyc3', 'https://example.com/' || id || '.img' FROM digitalocean.images.images WHERE tag_name = 'staging' AND type = 'backup';
UPDATE digitalocean.images.images SET data__name = 'renamed', data__description = 'now described' WHERE image_id = 100039 RETURNING id, name, description;
UPDATE digitalocean.images.images SET data__name = 'x';
UPDATE digitalocean.images.images SET data__name = 'x' WHERE name = 'nixos-23.11-v2';
UPDATE digitalocean.images.images SET name = 'x' WHERE image_id = 100039;
DELETE FROM digitalocean.images.images;
DELETE FROM digitalocean.images.images WHERE image_id = 'abc';
DELETE FROM digitalocean.images.images WHERE image_id IN (100095, 100258);
DELETE FROM digitalocean.images.images WHERE image_id = 100095;
-- The audit clean-up: exactly the images the subquery selects.
DELETE FROM digitalocean.images.images WHERE image_id IN (SELECT id FROM digitalocean.images.images WHERE tag_name = 'legacy' AND type = 'snapshot');
SELECT id, name, type FROM digitalocean.images.images WHERE tag_name = 'legacy' ORDER BY id;
EXEC digitalocean.images.images._get @image_id = 100033;
EXEC digitalocean.images.images.update @image_id = 100287 @@json = '{"name": "alpine-renamed", "description": "via exec"}';
EXEC digitalocean.images.images.update @image_id = 100287, @name = 'alpine-again';
EXEC digitalocean.images.images.update @image_id = 100287 @colour = 'red';
EXEC digitalocean.images.images.update @name = 'x';
EXEC digitalocean.images.images.updte @image_id = 1;
-- _list returns the raw response of one request; an enum value outside the list is refused.
EXEC digitalocean.images.images._list @type = 'application';
EXEC digitalocean.images.images._list @type = 'snapshot';
-- UPDATE over the ids a subquery selects, one call per id.
UPDATE digitalocean.images.images SET data__description = 'staging build' WHERE image_id IN (SELECT id FROM digitalocean.images.images WHERE tag_name = 'staging' AND type = 'custom') RETURNING id, name, description;
-- A raw list is one request: which page, and how large.
EXEC digitalocean.images.images._list @type = 'distribution' @page = 2 @per_page = 2;
EXEC digitalocean.images.images._list @page = 0;
-- Every conjunct is checked before the subquery is read.
DELETE FROM digitalocean.images.images WHERE image_id IN (SELECT id FROM digitalocean.images.images) AND name = 'x';
UPDATE digitalocean.images.images SET data__name = name || '-x' WHERE image_id = 100039;
