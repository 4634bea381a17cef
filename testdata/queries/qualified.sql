-- A column qualified with its resource's full name, as SQL's
-- schema.table.column, or with the name's last part (the table's name in
-- the query): both name the reference's column, in the select list, in
-- expressions (whose column names keep the text as written) and in WHERE,
-- where the API's filters are still sent (type=application) and an id
-- still calls get.
SELECT digitalocean.images.images.slug FROM digitalocean.images.images WHERE digitalocean.images.images.type = 'application' ORDER BY 1 LIMIT 2;
SELECT images.slug FROM digitalocean.images.images WHERE images.type = 'application' ORDER BY 1 LIMIT 2;
SELECT upper(digitalocean.images.images.slug), count(*) FROM digitalocean.images.images WHERE DigitalOcean.Images.Images.slug LIKE 'ubuntu%';
SELECT digitalocean.images.images.name FROM digitalocean.images.images WHERE digitalocean.images.images.id = 100033;
SELECT r.slug, count(*) AS images FROM digitalocean.regions.regions r JOIN digitalocean.images.images ON digitalocean.images.images.regions LIKE '%"' || r.slug || '"%' WHERE digitalocean.images.images.type = 'distribution' GROUP BY r.slug ORDER BY r.slug LIMIT 3;
-- A resource given an alias is named by its alias; a full name that the
-- statement does not read is refused, before any request.
SELECT digitalocean.images.images.slug FROM digitalocean.images.images i;
SELECT digitalocean.regions.regions.slug FROM digitalocean.images.images;
-- A dangling dot before a keyword is SQLite's syntax error, not a name.
SELECT digitalocean.regions.regions. FROM digitalocean.regions.regions;
