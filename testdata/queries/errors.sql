SELECT * FROM digitalocean.images.imags;
SELECT * FROM digitalocaen.images.images;
SELECT * FROM digitalocean.imgaes.images;
SELECT name FROM digitalocean.images.images WHERE;
SELECT nmae FROM digitalocean.images.images WHERE image_id = 100033;
SELECT * FROM digitalocean.images.images WHERE image_id = 'no-such-slug';
SHOW METHODS IN digitalocean.images;
DESCRIBE digitalocean.images;
SHOW FOO;
PRAGMA table_info('x');
-- The user's SQL cannot write, attach or load code.
WITH x AS (SELECT 1) DELETE FROM digitalocean.images.images;
SELECT id FROM digitalocean.images.images i WHERE i.image_id = 100033 AND i.id IN (SELECT rowid FROM sqlite_master);
SELECT load_extension('/tmp/evil.so');
ATTACH DATABASE '/tmp/other.db' AS other;
VACUUM INTO '/tmp/copy.db';
SELECT count(*) FROM digitalocean.images.images i, pragma_table_info('apiql_1') p;
