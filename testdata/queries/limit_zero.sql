-- LIMIT 0 answers no rows: no request is sent, but the statement is still
-- checked (an unknown column fails).
SELECT id, name FROM digitalocean.images.images LIMIT 0;
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = 'legacy' LIMIT 0;
SELECT id FROM digitalocean.images.images LIMIT 0 OFFSET 5;
SELECT id FROM digitalocean.images.images LIMIT 5, 0;
SELECT nmae FROM digitalocean.images.images LIMIT 0;
-- A LIMIT 0 inside a subquery is not the statement's: the fetch is made.
SELECT count(*) FROM (SELECT id FROM digitalocean.images.images LIMIT 0);
SELECT count(*) FROM digitalocean.regions.regions WHERE slug IN (SELECT 'nyc3' LIMIT 0);
-- The same fetch afterwards still reads the API (nothing empty was cached).
SELECT count(*) FROM digitalocean.images.images;
