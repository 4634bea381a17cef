-- The user's own SQL runs in SQLite, with only the resource names rewritten.
SELECT name || ' (' || slug || ')' AS label FROM digitalocean.images.images WHERE type = 'distribution' ORDER BY label;
SELECT id FROM digitalocean.images.images ORDER BY id DESC LIMIT 2;
SELECT id FROM digitalocean.images.images ORDER BY id LIMIT 3 OFFSET 2;
WITH big AS (SELECT id, name, size_gigabytes FROM digitalocean.images.images WHERE size_gigabytes > 40)
SELECT name, size_gigabytes FROM big ORDER BY size_gigabytes DESC;
SELECT type, name, size_gigabytes, rank() OVER (PARTITION BY type ORDER BY size_gigabytes DESC) AS r
FROM digitalocean.images.images WHERE private = true AND type = 'backup' ORDER BY type, r LIMIT 4;
SELECT r.value AS region, count(*) AS images
FROM digitalocean.images.images i, json_each(i.regions) r
GROUP BY r.value HAVING count(*) >= 10 ORDER BY images DESC, region;
SELECT slug FROM digitalocean.images.images WHERE slug GLOB '*-x64' ORDER BY slug;
SELECT id, regions ->> '$[0]' AS first_region, json_array_length(regions) AS n FROM digitalocean.images.images WHERE image_id = 100060;
SELECT CASE WHEN public THEN 'public' ELSE 'private' END AS visibility, count(*) AS n,
       round(sum(size_gigabytes), 2) AS gb
FROM digitalocean.images.images GROUP BY 1 ORDER BY 1;
SELECT name FROM digitalocean.images.images WHERE size_gigabytes = (SELECT max(size_gigabytes) FROM digitalocean.images.images);
SELECT 'dist' AS kind, count(*) AS n FROM digitalocean.images.images WHERE type = 'distribution'
UNION ALL
SELECT 'app', count(*) FROM digitalocean.images.images WHERE type = 'application';
-- Self-join with different params: each reference gets its own fetch.
SELECT a.slug, b.name FROM digitalocean.images.images a JOIN digitalocean.images.images b ON b.id = a.id
WHERE a.type = 'application' AND b.image_id = 100120;
-- The same resource with the same params is fetched once.
SELECT count(*) FROM digitalocean.images.images a JOIN digitalocean.images.images b ON a.id = b.id;
-- Nulls stay null; booleans are booleans; arrays are JSON.
SELECT id, slug, tags, public, min_disk_size FROM digitalocean.images.images WHERE image_id IN (100006, 100303) ORDER BY id;
SELECT json_extract(tags, '$[1]') AS second_tag, typeof(size_gigabytes) AS t, typeof(id) AS ti FROM digitalocean.images.images WHERE image_id = 100060;
SELECT t.value AS tag, count(*) AS n FROM digitalocean.images.images, json_each(tags) t GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3;
-- replace() is a function, not REPLACE INTO.
SELECT replace(slug, '-x64', '') AS short FROM digitalocean.images.images WHERE type = 'distribution' ORDER BY 1 LIMIT 2;
-- A column named after its expression shows the query as written.
SELECT (SELECT count(*) FROM digitalocean.images.images i WHERE i.type = 'distribution'), (SELECT count(*) FROM digitalocean.regions.regions);
