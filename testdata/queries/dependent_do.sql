-- Dependent fetches on DigitalOcean's resources under a parent (the
-- emulator serves the spec's examples).

-- A domain's records: the domains once, then the records of each.
SELECT d.name, r.type, r.name, r.data FROM digitalocean.domains.domains d
JOIN digitalocean.domains.records r ON r.domain_name = d.name ORDER BY 1, 2, 3, 4;

-- LEFT JOIN keeps the domains without records.
SELECT d.name, count(r.id) AS records FROM digitalocean.domains.domains d
LEFT JOIN digitalocean.domains.records r ON r.domain_name = d.name GROUP BY d.name ORDER BY 1;

-- The parents from a subquery.
SELECT r.domain_name, r.type, r.data FROM digitalocean.domains.records r
WHERE r.domain_name IN (SELECT name FROM digitalocean.domains.domains) ORDER BY 1, 2, 3;

-- A cluster's node pools.
SELECT c.name, np.name AS pool, np.count FROM digitalocean.kubernetes.clusters c
JOIN digitalocean.kubernetes.node_pools np ON np.cluster_id = c.id ORDER BY 1, 2;

-- The plan.
EXPLAIN SELECT d.name, r.type, r.data FROM digitalocean.domains.domains d
JOIN digitalocean.domains.records r ON r.domain_name = d.name;

-- Unbound: the error names the parent the registry gives.
SELECT * FROM digitalocean.domains.records;

-- A record's name is relative (@, www); the list's name filter takes a
-- fully qualified one (www.example.com): SQLite compares the field, and
-- no name is sent.
SELECT r.name, r.type FROM digitalocean.domains.records r
WHERE r.domain_name = 'example.com' AND r.name = '@' ORDER BY 2;

-- A list under a parent that does not exist (the API answers 404) fails
-- the statement, naming the value, for every resource: not zero rows.
SELECT count(*) FROM digitalocean.kubernetes.node_pools WHERE cluster_id = 'bogus';

-- (An IN list with a missing parent: TestMissingParentFails.)
SELECT count(*) FROM digitalocean.domains.records WHERE domain_name = 'other.com';

-- A get of one object that does not exist is no rows.
SELECT count(*) FROM digitalocean.kubernetes.node_pools
WHERE cluster_id = 'bd5f5959-5e1e-4205-a714-a914373942af' AND id = 'bogus';

-- The real parent alone answers its pools.
SELECT count(*) FROM digitalocean.kubernetes.node_pools
WHERE cluster_id = 'bd5f5959-5e1e-4205-a714-a914373942af';
