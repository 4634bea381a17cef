-- EXPLAIN: the plan, and no request.

EXPLAIN SELECT w.id, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id WHERE w.color = 'red';

EXPLAIN SELECT w.id, p.sku, s.name FROM acme.widgets.widgets w
JOIN acme.parts.parts p ON p.widget_id = w.id JOIN acme.parts.suppliers s ON s.sku = p.sku;

EXPLAIN QUERY PLAN SELECT p.sku FROM acme.parts.parts p WHERE p.widget_id IN (SELECT id FROM acme.widgets.widgets WHERE color = 'green');

EXPLAIN WITH g AS (SELECT id FROM acme.widgets.widgets WHERE active) SELECT g.id, p.sku FROM g JOIN acme.parts.parts p ON p.widget_id = g.id;

EXPLAIN SELECT w.name, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id WHERE w.id IN (1, 5);

EXPLAIN SELECT p.sku FROM acme.parts.parts p WHERE p.widget_id IN (7, 9);

EXPLAIN DELETE FROM acme.parts.parts WHERE widget_id = 1 AND sku IN (SELECT sku FROM acme.parts.parts WHERE widget_id = 1 AND quantity > 5);

EXPLAIN INSERT INTO acme.widgets.widgets (data__name, data__color) VALUES ('new', 'red');

EXPLAIN EXEC acme.widgets.widgets.delete @widget_id = 3;

-- Refusals are the same as when running the statement.
EXPLAIN SELECT p.sku FROM acme.parts.parts p;
