-- A parameter column has its parameter's type: private is boolean, as public is.
SELECT id, private, public FROM digitalocean.images.images WHERE private = true ORDER BY id LIMIT 2;
SELECT typeof(private), private = 1, private IS TRUE FROM digitalocean.images.images WHERE private = false LIMIT 1;
-- A string parameter standing for an integer field keeps the field's value.
SELECT id, image_id, typeof(image_id) FROM digitalocean.images.images WHERE image_id = 100095;
SELECT id, image_id, typeof(image_id) FROM digitalocean.images.images WHERE tag_name = 'legacy' ORDER BY id LIMIT 1;
