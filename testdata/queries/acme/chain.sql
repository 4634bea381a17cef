-- Parameters bound together from one parent's rows (acme test server:
-- widgets 1-6, parts of widgets 1, 2, 3, 4 and 5; a lot is listed per
-- widget and part, GET /api/widgets/{widget_id}/parts/{sku}/lots, and a
-- part the widget does not have is 404).

-- Both of the lots' parameters joined to the parts' rows: one call per
-- (widget, part) pair the parts hold, never a pair no part row holds.
SELECT p.widget_id, p.sku, l.lot, l.made FROM acme.widgets.widgets w
JOIN acme.parts.parts p ON p.widget_id = w.id
JOIN acme.parts.lots l ON l.widget_id = p.widget_id AND l.sku = p.sku ORDER BY 1, 2;

-- The same, the parents narrowed by a filter the API applies.
SELECT p.widget_id, p.sku, l.lot FROM acme.widgets.widgets w
JOIN acme.parts.parts p ON p.widget_id = w.id
JOIN acme.parts.lots l ON l.sku = p.sku AND l.widget_id = p.widget_id
WHERE w.color = 'red' ORDER BY 1, 2;

-- EXPLAIN says the calls are per distinct pair.
EXPLAIN SELECT l.lot FROM acme.widgets.widgets w
JOIN acme.parts.parts p ON p.widget_id = w.id
JOIN acme.parts.lots l ON l.widget_id = p.widget_id AND l.sku = p.sku;

-- Parameters from two different references are crossed: a call per
-- combination of every widget and every sku (a pair no widget has would
-- answer 404 and fail the statement).
EXPLAIN SELECT l.lot FROM acme.widgets.widgets w
JOIN acme.parts.parts p ON p.widget_id = w.id
JOIN acme.parts.lots l ON l.widget_id = w.id AND l.sku = p.sku;
