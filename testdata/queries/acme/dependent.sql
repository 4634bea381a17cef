-- Parameters bound from other rows of the statement (acme test server:
-- widgets 1-6, parts of widgets 1, 2, 4 and 5, suppliers of bolt and gear).

-- A join: the widgets once, then the parts of each widget.
SELECT w.id, w.color, p.sku, p.quantity FROM acme.widgets.widgets w
JOIN acme.parts.parts p ON p.widget_id = w.id ORDER BY 1, 3;

-- The parents narrowed by a filter the API applies: parts of red widgets only.
SELECT w.id, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON w.id = p.widget_id
WHERE w.color = 'red' ORDER BY 1, 2;

-- LEFT JOIN keeps the widgets with no parts.
SELECT w.id, p.sku FROM acme.widgets.widgets w LEFT JOIN acme.parts.parts p ON p.widget_id = w.id ORDER BY 1, 2;

-- The join condition in WHERE.
SELECT w.id, p.sku FROM acme.widgets.widgets w, acme.parts.parts p WHERE p.widget_id = w.id AND w.color = 'blue' ORDER BY 1, 2;

-- A chain: widgets, then parts, then each distinct part's suppliers.
SELECT w.id, p.sku, s.name, s.country FROM acme.widgets.widgets w
JOIN acme.parts.parts p ON p.widget_id = w.id
JOIN acme.parts.suppliers s ON s.sku = p.sku ORDER BY 1, 2, 3;

-- The same resource joined twice, with different parents: fetched for each.
SELECT a.id AS red, b.id AS green, pa.sku FROM acme.widgets.widgets a
JOIN acme.parts.parts pa ON pa.widget_id = a.id,
acme.widgets.widgets b JOIN acme.parts.parts pb ON pb.widget_id = b.id
WHERE a.color = 'red' AND b.color = 'green' AND pb.sku = pa.sku ORDER BY 1, 2, 3;

-- An uncorrelated subquery: evaluated first, then one call per value.
SELECT p.widget_id, p.sku FROM acme.parts.parts p
WHERE p.widget_id IN (SELECT id FROM acme.widgets.widgets WHERE color = 'green') ORDER BY 1, 2;

-- A CTE read by the subquery.
WITH g AS (SELECT id FROM acme.widgets.widgets WHERE color = 'green')
SELECT p.widget_id, p.sku FROM acme.parts.parts p WHERE p.widget_id IN (SELECT id FROM g) ORDER BY 1, 2;

-- A CTE joined.
WITH g AS (SELECT id FROM acme.widgets.widgets WHERE active)
SELECT g.id, p.sku FROM g JOIN acme.parts.parts p ON p.widget_id = g.id ORDER BY 1, 2;

-- Mixes: a literal on the parent (two gets), a join for the child.
SELECT w.id, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id
WHERE w.id IN (1, 5) ORDER BY 1, 2;

-- A literal wins over the join for the same parameter: one call.
SELECT w.id, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id
WHERE p.widget_id = 2 ORDER BY 1, 2;

-- A subquery for one resource, a join for the next.
SELECT p.widget_id, p.sku, s.name FROM acme.parts.parts p JOIN acme.parts.suppliers s ON s.sku = p.sku
WHERE p.widget_id IN (SELECT id FROM acme.widgets.widgets WHERE color = 'red') ORDER BY 1, 2, 3;

-- Values the parameter cannot take are never sent (no row could join them).
SELECT p.sku FROM acme.parts.parts p WHERE p.widget_id IN (SELECT name FROM acme.widgets.widgets);

-- A write bound by a literal and a subquery.
DELETE FROM acme.parts.parts WHERE widget_id = 1 AND sku IN (SELECT sku FROM acme.parts.parts WHERE widget_id = 1 AND quantity > 5);

-- Conditions on the parent alone that the API cannot apply still narrow the calls:
-- only widget 1's parts are fetched (quantity is the parts', so it narrows nothing).
SELECT w.id, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id
WHERE w.name LIKE '%-1' AND quantity > 5 AND NOT w.active ORDER BY 1, 2;

-- Not with an outer join: a parent failing them may still be in a row.
SELECT w.id, p.sku FROM acme.widgets.widgets w LEFT JOIN acme.parts.parts p ON p.widget_id = w.id
WHERE w.name LIKE '%-1' ORDER BY 1, 2;

-- A correlated subquery: the parts of every widget are fetched, SQLite correlates.
SELECT w.id, (SELECT count(*) FROM acme.parts.parts p WHERE p.widget_id = w.id) AS parts FROM acme.widgets.widgets w
WHERE w.color = 'blue' ORDER BY 1;

SELECT w.id FROM acme.widgets.widgets w
WHERE EXISTS (SELECT 1 FROM acme.parts.parts p WHERE p.widget_id = w.id AND p.sku = 'nut') ORDER BY 1;
