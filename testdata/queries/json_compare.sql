-- An object or array column holds JSON text: compared with a string or a
-- number it would match no row (=, IN, an anchored LIKE) or every row (<>,
-- NOT IN). Such a comparison is refused before any request, naming the
-- column and its type, with the form that works (the key from the
-- registry: a region's slug).
SELECT name FROM digitalocean.droplets.droplets WHERE region = 'nyc3';
SELECT name FROM digitalocean.droplets.droplets d WHERE d.size = 's-1vcpu-1gb';
SELECT name FROM digitalocean.droplets.droplets WHERE 'nyc3' = region;
SELECT name FROM digitalocean.droplets.droplets WHERE region IN ('nyc3', 'sfo3');
SELECT name FROM digitalocean.droplets.droplets WHERE region <> 'nyc3';
SELECT name FROM digitalocean.droplets.droplets WHERE region NOT IN ('nyc3');
SELECT name FROM digitalocean.droplets.droplets WHERE region LIKE 'nyc%';
SELECT name FROM digitalocean.droplets.droplets WHERE status = 'active' AND (name = 'x' OR networks = 1);
SELECT name FROM digitalocean.droplets.droplets WHERE tags = 'prod';
SELECT name FROM digitalocean.droplets.droplets WHERE tags NOT LIKE 'prod';
SELECT count(*) FROM digitalocean.images.images WHERE id IN (SELECT image ->> 'id' FROM digitalocean.droplets.droplets WHERE image = 'ubuntu-24-04-x64');
-- An object or array column compared with a scalar column, in ON or WHERE.
SELECT count(*) FROM digitalocean.droplets.droplets d JOIN digitalocean.regions.regions r ON r.slug = d.region;
SELECT count(*) FROM digitalocean.droplets.droplets d, digitalocean.images.images i WHERE d.tags = i.name;
-- What works: a key of the object, the array's elements, a LIKE pattern
-- that searches the JSON text (it starts with %), JSON of the column's
-- kind, NULL tests, another column.
SELECT name FROM digitalocean.droplets.droplets WHERE region ->> 'slug' = 'nyc1' ORDER BY name;
SELECT name FROM digitalocean.droplets.droplets WHERE json_extract(size, '$.slug') = 's-1vcpu-2gb' ORDER BY name;
SELECT name FROM digitalocean.droplets.droplets WHERE EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'prod') ORDER BY name LIMIT 3;
SELECT count(*) FROM digitalocean.droplets.droplets WHERE tags LIKE '%"prod"%';
SELECT count(*) FROM digitalocean.droplets.droplets WHERE region LIKE '%"nyc1"%';
SELECT count(*) FROM digitalocean.droplets.droplets WHERE tags = '[]' OR region IS NULL;
SELECT count(*) FROM digitalocean.droplets.droplets a JOIN digitalocean.droplets.droplets b ON a.id < b.id WHERE a.region = b.region;
-- A column of the same name that is not the object: a CTE's, and a
-- volume's region, which the API filters by (region=nyc1 is sent).
WITH r AS (SELECT name, region ->> 'slug' AS region FROM digitalocean.droplets.droplets) SELECT count(*) FROM r WHERE region = 'nyc1';
SELECT count(*) FROM digitalocean.volumes.volumes WHERE region = 'nyc1';
SELECT count(*) FROM digitalocean.droplets.droplets d JOIN digitalocean.regions.regions r ON d.region ->> 'slug' = r.slug;
-- Compared with a number, the hint's key is the object's id.
SELECT name FROM digitalocean.droplets.droplets WHERE image = 100065;
SELECT count(*) AS with_a_listed_image FROM digitalocean.droplets.droplets WHERE image ->> 'id' IN (SELECT id FROM digitalocean.images.images);
