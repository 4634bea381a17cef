package emulator_test

import (
	"net/http"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

func TestDbg(t *testing.T) {
	reg, err := registry.Load("/tmp/x/genreg")
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, emulator.Options{Registry: reg})
	for _, p := range []string{"/v2/add-ons/apps", "/v2/add-ons/apps/example/metadata", "/v2/monitoring/sinks", "/v2/monitoring/sinks/example", "/v2/droplets/400003771/backups/policy", "/v2/spaces/keys/my-access-key", "/v2/gen-ai/agents/123e4567-e89b-12d3-a456-426614174000"} {
		r := c.do(http.MethodGet, p, "")
		t.Logf("%s %d %.400s", p, r.status, r.body)
	}
}
