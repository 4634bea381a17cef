package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// TestDeclaredHeadersAreSent: a method's declared headers (X-Dangerous:
// true on the destructive DELETEs) go with the request and show in its
// dry-run text; the emulator, like the API, refuses the call without them.
func TestDeclaredHeadersAreSent(t *testing.T) {
	e := newDO(t, 5)
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		resource, method, param string
		list                    string // the resource whose first listed item is deleted
	}{
		{"digitalocean.droplets.destroy_with_associated_resources", "destroy_with_associated_resources_dangerous", "droplet_id", "digitalocean.droplets.droplets"},
		{"digitalocean.droplets.autoscale", "delete_dangerous", "autoscale_pool_id", "digitalocean.droplets.autoscale"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			res, err := reg.Resource(tt.resource)
			if err != nil {
				t.Fatal(err)
			}
			m := res.Method(tt.method)
			if m == nil {
				t.Fatalf("%s has no method %s", tt.resource, tt.method)
			}
			if got, want := m.Headers, []registry.Header{{Name: "X-Dangerous", Value: "true"}}; len(got) != 1 || got[0] != want[0] {
				t.Fatalf("Headers=%v, want %v", got, want)
			}
			// An existing item to delete: the first the list method returns.
			lres, err := reg.Resource(tt.list)
			if err != nil {
				t.Fatal(err)
			}
			var id string
			if err := e.cl.List(context.Background(), provider.Call{Method: lres.Method("list"), Limit: 1}, func(objs []json.RawMessage) error {
				var x struct{ ID json.RawMessage }
				if len(objs) > 0 && id == "" {
					if err := json.Unmarshal(objs[0], &x); err != nil {
						return err
					}
					id = strings.Trim(string(x.ID), `"`)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if id == "" {
				t.Fatalf("the emulator has no %s to delete", tt.resource)
			}
			call := provider.Call{Method: m, Params: map[string]string{tt.param: id}}
			req, err := e.cl.Build(call)
			if err != nil {
				t.Fatal(err)
			}
			if s := req.String(); !strings.Contains(s, "\nX-Dangerous: true") {
				t.Errorf("dry-run text %q does not show the X-Dangerous header", s)
			}

			// Without the header the emulator refuses, as the API does.
			bare := *m
			bare.Headers = nil
			_, err = e.cl.Do(context.Background(), provider.Call{Method: &bare, Params: call.Params})
			var ae *provider.APIError
			if !errors.As(err, &ae) || ae.Status != 400 || !strings.Contains(ae.Message, "X-Dangerous") {
				t.Fatalf("DELETE without the header: err=%v, want a 400 naming X-Dangerous", err)
			}
			resp, err := e.cl.Do(context.Background(), call)
			if err != nil {
				t.Fatalf("DELETE with the header: %v", err)
			}
			if resp.Status != 202 {
				t.Errorf("status=%d, want 202", resp.Status)
			}
		})
	}
}
