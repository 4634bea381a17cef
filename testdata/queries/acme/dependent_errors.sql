-- Refused before any request.
-- max-calls: 5

-- A required parameter bound by nothing.
SELECT p.sku FROM acme.parts.parts p;

-- ... nor by a join on another column.
SELECT p.sku FROM acme.parts.parts p JOIN acme.widgets.widgets w ON w.name = p.sku;

-- ... nor by a join to an array (JSON text is no parameter's value).
SELECT p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.tags;

-- Each side needs the other first.
SELECT p.sku FROM acme.parts.parts p JOIN acme.parts.suppliers s ON s.sku = p.sku AND p.widget_id = s.name;

-- A correlated subquery cannot run first.
SELECT p.sku FROM acme.parts.parts p WHERE p.widget_id IN (SELECT id FROM acme.widgets.widgets w WHERE w.name = p.sku);

-- More calls than --max-calls (5 here), known before any request.
SELECT p.sku FROM acme.parts.parts p WHERE p.widget_id IN (1, 2, 3, 4, 5, 6);

-- Known once the parents are in: the widgets are listed, the parts' calls are not sent.
SELECT w.id, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id;

-- Within the limit.
SELECT w.id, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id WHERE w.color = 'red' ORDER BY 1, 2;
