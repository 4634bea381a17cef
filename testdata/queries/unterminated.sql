SELECT 1 AS fine;
SELECT * FROM digitalocean.images.images WHERE image_id = 'unterminated;
