SHOW PROVIDERS;
SHOW SERVICES IN digitalocean;
SHOW SERVICES IN digitalocean LIKE '%snap%';
SHOW RESOURCES IN digitalocean.images;
SHOW METHODS IN digitalocean.images.images;
SHOW EXTENDED METHODS IN digitalocean.images.images LIKE '%list';
DESCRIBE digitalocean.images.images;
DESCRIBE EXTENDED digitalocean.images.images;
SHOW INSERT INTO digitalocean.images.images;
-- Every method's optional filters, with the values they take.
SHOW METHODS IN digitalocean.droplets.droplets;
DESCRIBE digitalocean.droplets.droplets;
