-- type = 'distribution' / 'application' are the list's image-family filter;
-- the rows keep their own type field (base, snapshot).
SELECT id, slug, type FROM digitalocean.images.images WHERE type = 'distribution' ORDER BY id;
SELECT slug, type FROM digitalocean.images.images WHERE type = 'application' ORDER BY slug;
-- Any other value is an ordinary filter on the type field, over the full list.
SELECT count(*) FROM digitalocean.images.images WHERE type = 'snapshot';
SELECT type, count(*) AS n FROM digitalocean.images.images WHERE type IN ('backup', 'custom') GROUP BY type;
-- Both at once: the family is pushed, the field filter applied locally.
SELECT count(*) FROM digitalocean.images.images WHERE type = 'application' AND type = 'snapshot';
-- private and tag_name are sent; their columns hold the value sent.
SELECT count(*), min(public), max(public) FROM digitalocean.images.images WHERE private = true;
SELECT id, tag_name, tags FROM digitalocean.images.images WHERE tag_name = 'legacy' ORDER BY id;
SELECT tag_name, count(*) AS n FROM digitalocean.images.images WHERE tag_name IN ('legacy', 'staging') GROUP BY tag_name ORDER BY tag_name;
-- A bound filter together with other predicates.
SELECT id, name FROM digitalocean.images.images WHERE tag_name = 'prod' AND size_gigabytes > 30 AND private = true ORDER BY id;
-- A list filter wins over get: the image must also carry the tag.
SELECT id FROM digitalocean.images.images WHERE tag_name = 'legacy' AND id = 100095;
SELECT id FROM digitalocean.images.images WHERE tag_name = 'legacy' AND id = 100033;
SELECT id, type FROM digitalocean.images.images WHERE type = 'distribution' AND id = 100033;
-- An OR of a list filter's values is sent as IN: the answer SQL gives over the whole list.
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = 'legacy' OR tag_name = 'web';
SELECT count(*) FROM digitalocean.images.images WHERE (tag_name IN ('legacy') OR (tag_name = 'web' OR tag_name IS 'w' || 'eb'));
SELECT count(*) FROM digitalocean.images.images WHERE EXISTS (SELECT 1 FROM json_each(tags) WHERE value IN ('legacy', 'web'));
-- A list filter that cannot be sent is an error, not an empty answer.
SELECT count(*) FROM digitalocean.images.images WHERE tag_name LIKE 'legacy' OR tag_name = 'web';
-- The type family named twice, or two families at once.
SELECT count(*) FROM digitalocean.images.images WHERE type = 'distribution' AND type = 'distribution';
SELECT count(*) FROM digitalocean.images.images WHERE type IN ('distribution', 'application') AND type = 'application';
SELECT count(*) FROM digitalocean.images.images WHERE type = 'distribution' AND type = 'application';
-- Repeated values are sent once, for every parameter.
SELECT count(*) FROM digitalocean.images.images WHERE private IN (true, false) AND tag_name IN ('legacy', 'legacy');
-- The droplets name filter is case-insensitive at the API; SQL's = stays exact,
-- and an object two values both find is one row.
SELECT name FROM digitalocean.droplets.droplets WHERE name = 'web-01';
SELECT count(*) FROM digitalocean.droplets.droplets WHERE name = 'WEB-01';
SELECT name FROM digitalocean.droplets.droplets WHERE name IN ('web-01', 'WEB-01');
-- A name given with AS is not the filter column.
SELECT i.id, 'x' AS tag_name FROM digitalocean.images.images i WHERE i.image_id = 100095;
WITH t AS (SELECT 1 AS private) SELECT private FROM t;
-- Either family: the condition means type IN ('distribution', 'application').
SELECT count(*) FROM digitalocean.images.images WHERE type = 'distribution' OR type = 'application';
-- A family value where it cannot be sent is an error, not an empty answer.
SELECT count(*) FROM digitalocean.images.images WHERE type IN ('distribution', 'snapshot');
SELECT count(*) FROM digitalocean.images.images WHERE type = 'snapshot' OR type = 'base';
-- An empty value is no filter at the API: it is not sent.
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = '';
SELECT count(*) FROM digitalocean.images.images WHERE image_id = '';
-- Filters the API refuses together: the one SQLite can apply stays local.
SELECT name FROM digitalocean.droplets.droplets WHERE tag_name = 'prod' AND name = 'web-01';
