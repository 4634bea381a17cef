-- A filter only the API applies is decided from what the condition means,
-- however it is spelled: the family filter (type) ...
SELECT count(*) FROM digitalocean.images.images WHERE type = 'distribution';
SELECT count(*) FROM digitalocean.images.images WHERE type IS 'distribution';
SELECT count(*) FROM digitalocean.images.images WHERE type = ('distribution');
SELECT count(*) FROM digitalocean.images.images WHERE type LIKE 'distribution';
SELECT count(*) FROM digitalocean.images.images WHERE type = 'distrib' || 'ution';
SELECT count(*) FROM digitalocean.images.images WHERE 'distribution' = type AND size_gigabytes > 0;
SELECT count(*) FROM digitalocean.images.images i WHERE (i.type = 'distribution' OR i.type = 'application');
-- ... a boolean filter (private) ...
SELECT count(*) FROM digitalocean.images.images WHERE private IS TRUE;
SELECT count(*) FROM digitalocean.images.images WHERE private;
SELECT count(*) FROM digitalocean.images.images WHERE NOT private;
SELECT count(*) FROM digitalocean.images.images WHERE private = (1 = 1);
-- ... and a free filter (tag_name), whose value must be a constant.
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = 'leg' || 'acy';
SELECT count(*) FROM digitalocean.images.images WHERE tag_name IS 'legacy';
SELECT count(*) FROM digitalocean.images.images WHERE tag_name IN (lower('LEGACY'), 'w' || 'eb');
-- Conditions about the field alone stay SQL's.
SELECT count(*) FROM digitalocean.images.images WHERE type <> 'base';
SELECT count(*) FROM digitalocean.images.images WHERE type LIKE 's%';
-- The value is what is wrong: the error says so, with the values allowed.
SELECT count(*) FROM digitalocean.images.images WHERE private = 'yes';
SELECT count(*) FROM digitalocean.images.images WHERE private = 2;
SELECT count(*) FROM digitalocean.images.images WHERE private IS NULL;
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = '';
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = 'a' || '';
-- Conditions that mix the API's filter with the field's values, or that the
-- API cannot be asked, are refused: never an empty answer.
SELECT count(*) FROM digitalocean.images.images WHERE type IN ('distribution', 'snapshot');
SELECT count(*) FROM digitalocean.images.images WHERE type <> 'distribution';
SELECT count(*) FROM digitalocean.images.images WHERE type LIKE 'd%';
SELECT count(*) FROM digitalocean.images.images WHERE tag_name LIKE 'leg%';
SELECT count(*) FROM digitalocean.images.images WHERE tag_name = 'legacy' OR private;
-- Where the API's filter cannot be sent, the error says where it must go.
SELECT count(*) FROM digitalocean.images.images i JOIN digitalocean.regions.regions r ON i.type = 'distribution' AND r.slug = 'nyc3';
SELECT i.type = 'distribution' AS d FROM digitalocean.images.images i;
-- EXPLAIN decides as the query does.
EXPLAIN SELECT * FROM digitalocean.images.images WHERE type IS 'distribution' AND NOT private;
-- In a block with an outer join the family filter is not sent: refused, as
-- such; tag_name is sent and its condition kept.
SELECT count(*) FROM digitalocean.images.images i LEFT JOIN digitalocean.regions.regions r ON r.slug = 'nyc3' WHERE i.type = 'distribution';
SELECT count(*) FROM digitalocean.images.images i LEFT JOIN digitalocean.regions.regions r ON r.slug = 'nyc3' WHERE i.type IS 'distribution';
SELECT count(*) FROM digitalocean.images.images i LEFT JOIN digitalocean.regions.regions r ON r.slug = 'nyc3' WHERE i.tag_name IS 'legacy';
-- A filter only the API applies, read with no WHERE that sends it: nothing
-- to read, and the error says so (no condition to blame).
SELECT name, tag_name FROM digitalocean.droplets.droplets LIMIT 1;
SELECT name FROM digitalocean.droplets.droplets ORDER BY tag_name;
