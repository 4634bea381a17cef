package engine_test

import (
	"strings"
	"testing"
)

// A 404 of a list call means its parent does not exist: the statement
// fails naming the value, for every resource and however the value came
// (=, an IN list, a join); only a get of one object turns 404 into no rows.
func TestMissingParentFails(t *testing.T) {
	e := newEnv(t, 5, nil)
	const cluster = "bd5f5959-5e1e-4205-a714-a914373942af"
	const db = "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"
	tests := []struct{ sql, want string }{
		{"SELECT count(*) FROM digitalocean.kubernetes.node_pools WHERE cluster_id = 'bogus'", "no cluster_id 'bogus' exists"},
		{"SELECT count(*) FROM digitalocean.kubernetes.node_pools WHERE cluster_id IN ('bogus', '" + cluster + "')", "no cluster_id 'bogus' exists"},
		{"SELECT count(*) FROM digitalocean.kubernetes.node_pools WHERE cluster_id IN ('" + cluster + "', 'bogus')", "no cluster_id 'bogus' exists"},
		{"SELECT count(*) FROM digitalocean.domains.records WHERE domain_name = 'other.com'", "no domain_name 'other.com' exists"},
		{"SELECT count(*) FROM digitalocean.kubernetes.node_pools np WHERE np.cluster_id IN (SELECT id FROM digitalocean.kubernetes.clusters UNION SELECT 'bogus')", "no cluster_id 'bogus' exists"},
		// A namespace's keys: namespace_id is the namespace's namespace field.
		{"SELECT count(*) FROM digitalocean.functions.keys WHERE namespace_id = 'fn-nope'", "no namespace_id 'fn-nope' exists"},
		{"SELECT count(*) FROM digitalocean.functions.keys WHERE namespace_id IN (SELECT namespace FROM digitalocean.functions.namespaces)", ""},
		// Gets: no rows.
		{"SELECT count(*) FROM digitalocean.kubernetes.node_pools WHERE cluster_id = '" + cluster + "' AND id = 'bogus'", ""},
		{"SELECT count(*) FROM digitalocean.images.images WHERE image_id = 999999", ""},
		// Gets whose path parameter is a field of another name.
		{"SELECT count(*) FROM digitalocean.databases.users WHERE database_cluster_uuid = '" + db + "' AND name = 'nobody'", ""},
		{"SELECT count(*) FROM digitalocean.databases.logsink WHERE database_cluster_uuid = '" + db + "' AND sink_id = 'nope'", ""},
		{"SELECT count(*) FROM digitalocean.databases.users WHERE database_cluster_uuid = '" + db + "' AND username = 'nobody'", ""},
		{"SELECT count(*) FROM digitalocean.databases.logsink WHERE database_cluster_uuid = '" + db + "' AND logsink_id = 'nope'", ""},
		{"SELECT count(*) FROM digitalocean.tags.tags WHERE name = 'nope'", ""},
		{"SELECT count(*) FROM digitalocean.tags.tags WHERE tag_id = 'nope'", ""},
		{"SELECT count(*) FROM digitalocean.functions.namespaces WHERE namespace_id = 'fn-nope'", ""},
		{"SELECT count(*) FROM digitalocean.reserved_ipv6.reserved_ipv6 WHERE reserved_ipv6 = '2409::1'", ""},
		{"SELECT count(*) FROM digitalocean.functions.namespaces WHERE namespace = 'fn-nope'", ""},
		{"SELECT count(*) FROM digitalocean.reserved_ipv6.reserved_ipv6 WHERE ip = '2409::1'", ""},
	}
	for _, tt := range tests {
		o := e.exec(t, tt.sql)
		if tt.want == "" {
			if o.Err != nil {
				t.Errorf("%s: %v, want no rows", tt.sql, o.Err)
			}
			continue
		}
		if o.Err == nil || !strings.Contains(o.Err.Error(), tt.want) {
			t.Errorf("%s\n  got %v\n  want an error with %q", tt.sql, o.Err, tt.want)
		}
	}
}
