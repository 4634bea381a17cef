-- Method choice: get when image_id (or id) is bound, list otherwise.
SELECT * FROM digitalocean.images.images WHERE image_id = 100033;
SELECT id, name, slug, public FROM digitalocean.images.images WHERE image_id = 'ubuntu-24-04-x64';
-- IN fans out one get per value; a 404 gives no row.
SELECT image_id, id, name FROM digitalocean.images.images WHERE image_id IN (100098, 100033, 999) ORDER BY id;
SELECT count(*) FROM digitalocean.images.images WHERE image_id = 999999;
-- The id field binds get's image_id too.
SELECT id, name FROM digitalocean.images.images i WHERE i.id = 100226;
-- Private images are found by id, not by slug.
SELECT id, name FROM digitalocean.images.images WHERE image_id = 100133;
-- No WHERE: one list call with the largest page size.
SELECT count(*) AS images, count(slug) AS public_with_slug FROM digitalocean.images.images;
-- A predicate that cannot be pushed is applied by SQLite over the list.
SELECT id, name FROM digitalocean.images.images WHERE name LIKE 'alpine%' ORDER BY id;
-- An OR is never pushed: list, then SQLite filters.
SELECT id FROM digitalocean.images.images WHERE image_id = 100033 OR id = 100098 ORDER BY id;
-- Rows from the list hold their id in image_id, the value that would find them.
SELECT image_id, slug FROM digitalocean.images.images WHERE type = 'distribution' AND image_id > 100400 ORDER BY 1;
-- * is the fields alone, even when a parameter column is selected too.
SELECT *, image_id FROM digitalocean.images.images WHERE image_id IN (100033, 100098) ORDER BY id;
SELECT i.*, i.tag_name FROM digitalocean.images.images i WHERE i.tag_name = 'staging' AND i.type = 'backup' ORDER BY i.id;
-- id values are sent only in the form SQL reads them; others filter the list.
SELECT id FROM digitalocean.images.images WHERE id IN (100033, 100033.0, '100033');
SELECT id FROM digitalocean.images.images WHERE id IN (100033, 'ubuntu-24-04-x64');
SELECT id FROM digitalocean.images.images WHERE id = 100033.5;
-- In a join of resources too, * is each resource's fields.
SELECT * FROM digitalocean.images.images i JOIN digitalocean.images.images j ON j.image_id = i.id WHERE i.image_id = 100033;
