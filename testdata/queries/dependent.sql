-- Parameters bound from other rows of the statement, on images.

-- image_id IN (SELECT slug ...): the list for the subquery, then a get per slug.
SELECT i.id, i.image_id, i.slug FROM digitalocean.images.images i
WHERE i.image_id IN (SELECT slug FROM digitalocean.images.images WHERE type = 'application') ORDER BY 1;

-- The same through a CTE.
WITH apps AS (SELECT slug FROM digitalocean.images.images WHERE type = 'application')
SELECT i.id, i.slug FROM digitalocean.images.images i WHERE i.image_id IN (SELECT slug FROM apps) ORDER BY 1;

-- A join on the parameter column: a get per distinct slug of the distribution images.
SELECT a.slug, b.id, b.name FROM digitalocean.images.images a
JOIN digitalocean.images.images b ON b.image_id = a.slug WHERE a.type = 'distribution' ORDER BY 1;

-- By the field (id), the list answers: one list each, SQLite filters.
SELECT count(*) FROM digitalocean.images.images WHERE id IN (SELECT id FROM digitalocean.images.images WHERE tag_name = 'legacy');

-- A subquery with no value: no get at all.
SELECT id FROM digitalocean.images.images WHERE image_id IN (SELECT slug FROM digitalocean.images.images WHERE tag_name = 'no-such-tag');

-- More calls than --max-calls allows (1000 by default): refused before the gets.
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1001)
SELECT count(*) FROM digitalocean.images.images WHERE image_id IN (SELECT x FROM n);

-- A write bound by a subquery (the same binding).
DELETE FROM digitalocean.images.images WHERE image_id IN (SELECT id FROM digitalocean.images.images WHERE tag_name = 'legacy' AND type = 'snapshot');
