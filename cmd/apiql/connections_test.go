package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
)

// TestAccountsAudit runs testdata/audits/accounts.iql across three
// emulators, each an account with its own token and data, named in a
// config file, and checks its first statement against a computation from
// each emulator's own data.
func TestAccountsAudit(t *testing.T) {
	var cfg strings.Builder
	cfg.WriteString("connections:\n  digitalocean:\n")
	emus := map[string]*emulator.Server{}
	for i, name := range []string{"prod", "staging", "lab"} {
		emu := emulator.New(emulator.Options{Images: 10 + 7*i, Seed: int64(10 + i), Token: "tok-" + name})
		srv := httptest.NewServer(emu)
		t.Cleanup(srv.Close)
		emus[name] = emu
		v := "APIQL_TEST_TOKEN_" + strings.ToUpper(name)
		t.Setenv(v, "tok-"+name)
		fmt.Fprintf(&cfg, "    %s: { token_env: %s, api_url: %q }\n", name, v, srv.URL)
	}
	t.Setenv("DIGITALOCEAN_TOKEN", "")
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := auditRun(t, "exec", "--config", path, "--connection", "all", "-o", "csv", "-i", filepath.Join(auditDir, "accounts.iql"))
	if code != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
	}
	first := strings.SplitN(stdout, "\n\n", 2)[0]
	rows, err := csv.NewReader(strings.NewReader(first)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, strings.Join(r, ","))
	}
	var want []string
	for _, name := range []string{"lab", "prod", "staging"} {
		n, priv, gb := 0, 0, 0.0
		for _, im := range emus[name].Images() {
			n++
			if !im.Public {
				priv++
				if im.SizeGigabytes != nil {
					gb += *im.SizeGigabytes
				}
			}
		}
		r2 := func(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }
		want = append(want, fmt.Sprintf("%s,%d,%d,%s,%s", name, n, priv, r2(gb), r2(gb*0.06)))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("per account:\n%s\nwant (from the emulators' data):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// SHOW CONNECTIONS through the binary's flags: names, never tokens.
	code, stdout, _ = auditRun(t, "exec", "--config", path, "-o", "csv", "SHOW CONNECTIONS")
	if code != 0 || !strings.Contains(stdout, "prod,env APIQL_TEST_TOKEN_PROD,true") || strings.Contains(stdout, "tok-") {
		t.Errorf("SHOW CONNECTIONS (exit %d):\n%s", code, stdout)
	}
	// An unknown --connection is refused at once.
	code, _, stderr = auditRun(t, "exec", "--config", path, "--connection", "qa", "SELECT 1")
	if code == 0 || !strings.Contains(stderr, `no provider has a connection "qa"`) {
		t.Errorf("--connection qa: exit %d, %s", code, stderr)
	}
}

// TestConfigUnknownProvider: connections of a provider the registry does
// not have (a typo, another case) are refused, not left unused in silence.
func TestConfigUnknownProvider(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("connections:\n  Digitalocean:\n    prod: {token_env: APIQL_TEST_NOPE}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := auditRun(t, "exec", "--config", path, "SHOW CONNECTIONS")
	if code == 0 || !strings.Contains(stderr, `connections for provider "Digitalocean", which the registry does not have; did you mean digitalocean?`) {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}

// TestSandboxShowConnections: the sandbox's token is its own: SHOW
// CONNECTIONS says so, not that it comes from the environment's variable
// (which the sandbox does not read), whether that is set or not.
func TestSandboxShowConnections(t *testing.T) {
	for _, env := range []string{"", secretToken} {
		t.Setenv("DIGITALOCEAN_TOKEN", env)
		r := runApiql(t, "", "exec", "--sandbox", "-o", "csv", "SHOW CONNECTIONS")
		if got, want := r.stdout, "provider,name,token_from,token_set,api_url,is_default\ndigitalocean,default,sandbox (built-in emulator),true,"; r.code != 0 || !strings.HasPrefix(got, want) {
			t.Errorf("DIGITALOCEAN_TOKEN=%q: got\n%v\nwant it to start %q", env, r, want)
		}
		assertNoSecret(t, r)
	}
}
