package openapigen

import "testing"

// Parent relations come from the paths: a placeholder of a collection above
// the resource's own names that collection's resource and the field it
// stands for; the resource's own placeholder names none.
func TestParentRelations(t *testing.T) {
	res := generated(t, overrides(t))
	for _, tt := range []struct{ resource, method, param, parent, field string }{
		{"domains.records", "list", "domain_name", "domains.domains", "name"},
		{"domains.records", "get", "domain_name", "domains.domains", "name"},
		{"kubernetes.node_pools", "list", "cluster_id", "kubernetes.clusters", "id"},
		{"droplets.actions", "list", "droplet_id", "droplets.droplets", "id"},
		{"databases.dbs", "list", "database_cluster_uuid", "databases.databases", "id"},
		{"databases.users", "list", "database_cluster_uuid", "databases.databases", "id"},
		{"apps.deployments", "list", "app_id", "apps.apps", "id"},
		{"volumes.snapshots", "list", "volume_id", "volumes.volumes", "id"},
		{"images.actions", "list", "image_id", "images.images", "id"},
		{"functions.keys", "list", "namespace_id", "functions.namespaces", "namespace"},
		{"functions.triggers", "list", "namespace_id", "functions.namespaces", "namespace"},
		{"functions.namespaces", "get", "namespace_id", "", ""},
		{"domains.records", "get", "domain_record_id", "", ""},
		{"droplets.droplets", "get", "droplet_id", "", ""},
		{"domains.domains", "get", "domain_name", "", ""},
	} {
		p := find(t, res, tt.resource).method(tt.method).param(tt.param)
		if p == nil {
			t.Fatalf("%s.%s has no param %s", tt.resource, tt.method, tt.param)
		}
		var got Parent
		if p.Parent != nil {
			got = *p.Parent
		}
		if want := (Parent{tt.parent, tt.field}); got != want {
			t.Errorf("%s.%s %s: parent %+v, want %+v", tt.resource, tt.method, tt.param, got, want)
		}
	}
	// The records' own name is a field; the domain's name is not taken for it.
	if f := find(t, res, "domains.records").method("list").param("domain_name").Field; f != "" {
		t.Errorf("records list domain_name: field %q, want none (it names the domain)", f)
	}
}
