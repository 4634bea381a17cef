-- Provider, service, resource and method names match case-insensitively, as
-- SQL names do, and spaces may stand around the dots.
SELECT count(*) FROM DigitalOcean.Images.IMAGES WHERE type = 'distribution';
SELECT count(*) FROM digitalocean . images . images WHERE images.type = 'application';
SELECT name FROM digitalocean.REGIONS.regions r WHERE r.slug = 'nyc3';
DESCRIBE DigitalOcean.Regions.Regions;
SHOW RESOURCES IN DIGITALOCEAN.images;
EXEC digitalocean.images.images._GET @image_id = 100095;
-- A short name suggests the resource it stands for; an unrelated one nothing.
SELECT count(*) FROM images;
SELECT count(*) FROM Images.images;
SELECT count(*) FROM imagse;
SELECT count(*) FROM foo;
-- A suggestion only when it is close.
SELECT * FROM digitalocean.images.x;
SELECT * FROM digitalocean.imgs.images;
SELECT * FROM aws.ec2.instances;
SELECT * FROM digitalocena.images.images;
