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
