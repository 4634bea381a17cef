-- A field the API returns as an object (a volume's region) is typed object,
-- not string; the list's region parameter, which filters by the region's
-- slug, shares the field's name: an equality with a region slug is the API's
-- filter (region=nyc1 is sent and every volume it answers is kept), never a
-- comparison of the object's JSON text with the slug (0 rows).
SELECT name, json_extract(region, '$.slug') AS region_slug FROM digitalocean.volumes.volumes WHERE region = 'nyc1' ORDER BY name;
SELECT count(*) FROM digitalocean.volumes.volumes WHERE region = 'nyc1';
SELECT count(*) FROM digitalocean.volumes.volumes v WHERE v.region = 'nyc1' AND size_gigabytes > 0;
-- The object's members are SQL's.
SELECT name FROM digitalocean.volumes.volumes WHERE json_extract(region, '$.slug') = 'nyc1' ORDER BY name;
SELECT typeof(region), json_type(region) FROM digitalocean.volumes.volumes WHERE region = 'nyc1' LIMIT 1;
