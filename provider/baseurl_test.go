package provider_test

import (
	"context"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider"
)

// TestBadBaseURLSendsNothing: a base URL override that cannot be right is
// refused before any request, with what is wrong and what to write.
func TestBadBaseURLSendsNothing(t *testing.T) {
	e := newDO(t, 3)
	host := strings.TrimPrefix(e.srv.URL, "http://")
	for _, tc := range []struct {
		url  string
		want []string // in the error
	}{
		{"127.0.0.1:8089", []string{"not an http or https URL", "http://127.0.0.1:8089"}},
		{"http://" + strings.Split(host, ":")[0] + ":", []string{"empty port"}},
		{"http://" + strings.Split(host, ":")[0] + ":/", []string{"empty port"}},
		{e.srv.URL + "/v2", []string{"ends in /v2", "/v2/v2/...", "write " + e.srv.URL}},
		{e.srv.URL + "/v2/", []string{"ends in /v2", "write " + e.srv.URL}},
	} {
		t.Run(tc.url, func(t *testing.T) {
			env := map[string]string{"DIGITALOCEAN_API_URL": tc.url, "DIGITALOCEAN_TOKEN": "tok-123"}
			cl := &provider.Client{Getenv: func(k string) string { return env[k] }}
			_, err := cl.Do(context.Background(), provider.Call{Method: e.res.Method("list")})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "DIGITALOCEAN_API_URL") {
				t.Errorf("error %q does not name the variable", err)
			}
			if n := len(e.emu.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
	// A path prefix that is not the registry's own (a proxy's) is kept.
	env := map[string]string{"DIGITALOCEAN_API_URL": e.srv.URL + "/proxy", "DIGITALOCEAN_TOKEN": "tok-123"}
	cl := &provider.Client{Getenv: func(k string) string { return env[k] }}
	if _, err := cl.Do(context.Background(), provider.Call{Method: e.res.Method("list")}); err == nil || strings.Contains(err.Error(), "ends in") {
		t.Errorf("base URL with a proxy prefix: got %v, want the server's 404", err)
	}
}
