package openapigen

import (
	"slices"
	"sort"
	"testing"
)

// TestListsBesideOtherKeys looks at every GET of the pinned spec whose JSON
// answer is an object holding one array of objects beside other keys
// (besides links and meta): {"vector_dbs": [...], "total": 3}. Each one is
// either a list, whose rows are the array's items (the method's
// response_key is the array, no field of the resource is the array or a
// key beside it), or one object that has the array as a field. The verdict
// of each is pinned here, so that a new such answer in the spec (or a
// change of the rule) fails until someone decides what it is.
func TestListsBesideOtherKeys(t *testing.T) {
	// GET path -> the array holding the rows, or "" for one object.
	want := map[string]string{
		"/v2/apps/tiers/instance_sizes":                 "instance_sizes", // named as its path
		"/v2/customers/my/invoices":                     "invoices",       // named as its path, beside invoice_preview
		"/v2/databases/{database_cluster_uuid}/backups": "backups",        // named as its path
		"/v2/dedicated-inferences/sizes":                "sizes",          // named as its path
		"/v2/functions/namespaces/{namespace_id}/keys":  "access_keys",    // beside a count
		"/v2/vector-databases":                          "vector_dbs",     // paged, beside total
		"/v2/gen-ai/custom_models":                      "models",         // paged
		"/v2/gen-ai/model_evaluation_runs":              "runs",           // paged
		// One object: the bandwidth of one app on a date; a lint run; a run
		// with its prompts, or its results.
		"/v2/gen-ai/evaluation_runs/{evaluation_run_uuid}/results": "",
		// Paged beside counts, but its data points have a start_date that
		// the path parameter start_date would shadow.
		"/v2/billing/{account_urn}/insights/{start_date}/{end_date}": "",
		"/v2/gen-ai/model_evaluation_runs/{eval_run_uuid}":           "",
		"/v2/apps/{app_id}/metrics/bandwidth_daily":                  "",
		"/v2/kubernetes/clusters/{cluster_id}/clusterlint":           "",
	}
	res := generated(t, overrides(t))
	methods := map[string]*Method{}
	fields := map[string][]*Field{}
	for _, s := range res.Services {
		for _, r := range s.Resources {
			for _, m := range r.Methods {
				if m.HTTPMethod == "GET" {
					methods[m.Path] = m
					fields[m.Path] = r.Fields
				}
			}
		}
	}
	var seen []string
	for _, op := range pinned(t).Ops {
		if op.Method != "GET" || op.Resp == nil || op.Resp.Type != "object" || methods[op.Path] == nil {
			continue
		}
		var arrays, beside []string
		for _, p := range op.Resp.Props {
			switch {
			case slices.Contains(wrapperKeys, p.Name):
			case p.Shape.Type == "array" && p.Shape.Items != nil && p.Shape.Items.Type == "object":
				arrays = append(arrays, p.Name)
			default:
				beside = append(beside, p.Name)
			}
		}
		if len(arrays) != 1 || len(beside) == 0 {
			continue
		}
		seen = append(seen, op.Path)
		key, ok := want[op.Path]
		if !ok {
			t.Errorf("GET %s answers the array %s beside %v: a list of its items, or one object? Say so in this test", op.Path, arrays[0], beside)
			continue
		}
		m := methods[op.Path]
		if m.ResponseKey != key {
			t.Errorf("GET %s: response_key %q, want %q", op.Path, m.ResponseKey, key)
		}
		if key == "" {
			continue
		}
		for _, f := range fields[op.Path] {
			if f.Name == key || slices.Contains(beside, f.Name) && op.Resp.prop(f.Name) != nil && m.fieldsFrom.prop(f.Name) == nil {
				t.Errorf("GET %s is a list of %s, but its resource has the answer's key %s as a field", op.Path, key, f.Name)
			}
		}
	}
	sort.Strings(seen)
	for p := range want {
		if !slices.Contains(seen, p) {
			t.Errorf("GET %s: no longer an array beside other keys in the spec; drop it from this test", p)
		}
	}
}
