-- Objects that several calls of one reference find are one row (by the
-- resource's identity): a WHERE clause never adds rows. Each query is
-- followed by the same answer computed by SQLite over the whole list.
SELECT count(*), count(DISTINCT id) FROM digitalocean.images.images WHERE tag_name IN ('prod', 'web');
SELECT count(*) FROM digitalocean.images.images WHERE EXISTS (SELECT 1 FROM json_each(tags) WHERE value IN ('prod', 'web'));
SELECT count(*), count(DISTINCT id) FROM digitalocean.images.images WHERE private IN (true, false);
SELECT id, slug, image_id FROM digitalocean.images.images WHERE image_id IN ('ubuntu-24-04-x64', 100033);
-- The row of an object several calls find is the first call's (in the order written).
SELECT id, tag_name FROM digitalocean.images.images WHERE tag_name IN ('web', 'legacy') AND id = 100194;
SELECT id, tag_name FROM digitalocean.images.images WHERE tag_name IN ('legacy', 'web') AND id = 100194;
-- One parameter in several conditions: the objects every condition finds.
SELECT id, tags FROM digitalocean.images.images WHERE tag_name = 'legacy' AND tag_name = 'web' ORDER BY id;
SELECT id, tags FROM digitalocean.images.images WHERE EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'legacy') AND EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'web') ORDER BY id;
SELECT count(*) FROM digitalocean.images.images WHERE tag_name IN ('legacy', 'prod') AND tag_name = 'web';
SELECT count(*) FROM digitalocean.images.images WHERE EXISTS (SELECT 1 FROM json_each(tags) WHERE value IN ('legacy', 'prod')) AND EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'web');
SELECT count(*) FROM digitalocean.images.images WHERE private = false AND private = true;
SELECT count(*) FROM digitalocean.images.images WHERE public = false;
SELECT id FROM digitalocean.images.images WHERE image_id = 100033 AND image_id = 'ubuntu-24-04-x64';
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = 'legacy' AND tag_name = 'legacy';
-- Intersections apiql cannot compute are refused, never answered empty.
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = 'legacy' AND tag_name = 'web' AND private IN (true, false);
-- Values from a subquery are calls too: an object several of them find is one row.
SELECT count(*), count(DISTINCT id) FROM digitalocean.images.images WHERE tag_name IN (SELECT 'prod' UNION SELECT 'web');
WITH t(name) AS (VALUES ('prod'), ('web')) SELECT count(*), count(DISTINCT id) FROM digitalocean.images.images WHERE tag_name IN (SELECT name FROM t);
SELECT count(*), count(DISTINCT id) FROM digitalocean.images.images WHERE image_id IN (SELECT slug FROM digitalocean.images.images WHERE type = 'distribution' UNION ALL SELECT id FROM digitalocean.images.images WHERE type = 'distribution');
SELECT count(*) FROM digitalocean.images.images WHERE type = 'distribution';
-- A join on the parameter column pairs an object with each value that found it, whatever else fans out.
WITH t(name) AS (VALUES ('prod'), ('web')) SELECT count(*), count(DISTINCT i.id) FROM t JOIN digitalocean.images.images i ON i.tag_name = t.name;
WITH t(name) AS (VALUES ('prod'), ('web')) SELECT count(*), count(DISTINCT i.id) FROM t JOIN digitalocean.images.images i ON i.tag_name = t.name WHERE i.private IN (true, false);
SELECT count(*), count(DISTINCT i.id) FROM digitalocean.images.images i, json_each(i.tags) j WHERE j.value IN ('prod', 'web');
