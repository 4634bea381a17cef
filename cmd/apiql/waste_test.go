package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

// The waste audit recomputed from the emulator's raw JSON, by rules written
// here in Go, not by the audit's SQL: the rows apiql prints for waste.iql on
// the sandbox must be exactly these.

// wasteRow is one line of the audit.
type wasteRow struct {
	kind, id, name, region, size string
	cents                        int64
}

// rawGet fetches one page of 200 from the emulator and decodes key's array.
func rawGet(t *testing.T, base, path, key string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path+"?per_page=200", nil)
	req.Header.Set("Authorization", "Bearer sandbox")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	var page map[string]json.RawMessage
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	var total struct {
		Total int `json:"total"`
	}
	_ = json.Unmarshal(page["meta"], &total)
	var items []json.RawMessage
	if err := json.Unmarshal(page[key], &items); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if total.Total > len(items) {
		t.Fatalf("GET %s: %d items of %d on one page", path, len(items), total.Total)
	}
	if err := json.Unmarshal(page[key], v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// cents is x times price rounded half up to cents, exactly.
func cents(x, price string) int64 {
	a, _ := new(big.Rat).SetString(x)
	p, _ := new(big.Rat).SetString(price)
	c := new(big.Rat).Mul(a, p)
	c.Mul(c, big.NewRat(100, 1))
	c.Add(c, big.NewRat(1, 2))
	return new(big.Int).Quo(c.Num(), c.Denom()).Int64()
}

type region struct {
	Slug string `json:"slug"`
}

// wasteExpected computes the audit from the emulator's raw answers.
func wasteExpected(t *testing.T, base string, days float64, now time.Time) []wasteRow {
	var rows []wasteRow
	var volumes []struct {
		ID, Name   string
		Region     region
		DropletIDs []int       `json:"droplet_ids"`
		Size       json.Number `json:"size_gigabytes"`
	}
	rawGet(t, base, "/v2/volumes", "volumes", &volumes)
	for _, v := range volumes {
		if len(v.DropletIDs) == 0 {
			rows = append(rows, wasteRow{"volume", v.ID, v.Name, v.Region.Slug, v.Size.String() + " GiB", cents(v.Size.String(), "0.10")})
		}
	}
	var ips []struct {
		IP      string
		Region  region
		Droplet json.RawMessage
	}
	rawGet(t, base, "/v2/reserved_ips", "reserved_ips", &ips)
	for _, r := range ips {
		if len(r.Droplet) == 0 || string(r.Droplet) == "null" {
			rows = append(rows, wasteRow{"reserved_ip", r.IP, r.IP, r.Region.Slug, "", 500})
		}
	}
	var snaps []struct {
		ID, Name  string
		CreatedAt string `json:"created_at"`
		Regions   []string
		Size      json.Number `json:"size_gigabytes"`
	}
	rawGet(t, base, "/v2/snapshots", "snapshots", &snaps)
	for _, s := range snaps {
		at, err := time.Parse(time.RFC3339, s.CreatedAt)
		if err != nil {
			t.Fatal(err)
		}
		if now.Sub(at).Hours()/24 > days {
			gb, _ := s.Size.Float64()
			rows = append(rows, wasteRow{"snapshot", s.ID, s.Name, s.Regions[0], strconv.FormatFloat(gb, 'f', 2, 64) + " GiB", cents(s.Size.String(), "0.06")})
		}
	}
	var lbs []struct {
		ID, Name   string
		Region     region
		DropletIDs []int `json:"droplet_ids"`
		SizeUnit   int   `json:"size_unit"`
	}
	rawGet(t, base, "/v2/load_balancers", "load_balancers", &lbs)
	for _, l := range lbs {
		if len(l.DropletIDs) == 0 {
			size := fmt.Sprintf("%d nodes", l.SizeUnit)
			if l.SizeUnit == 1 {
				size = "1 node"
			}
			rows = append(rows, wasteRow{"load_balancer", l.ID, l.Name, l.Region.Slug, size, int64(l.SizeUnit) * 1200})
		}
	}
	var droplets []struct {
		ID       int
		Name     string
		Status   string
		Region   region
		SizeSlug string `json:"size_slug"`
		Tags     []string
	}
	rawGet(t, base, "/v2/droplets", "droplets", &droplets)
	dropletTags := map[string]bool{}
	for _, d := range droplets {
		for _, tg := range d.Tags {
			dropletTags[tg] = true
		}
	}
	var fws []struct {
		ID, Name   string
		DropletIDs []int `json:"droplet_ids"`
		Tags       []string
	}
	rawGet(t, base, "/v2/firewalls", "firewalls", &fws)
	for _, f := range fws {
		used := len(f.DropletIDs) > 0
		for _, tg := range f.Tags {
			used = used || dropletTags[tg]
		}
		if !used {
			rows = append(rows, wasteRow{"firewall", f.ID, f.Name, "", "", 0})
		}
	}
	var sizes []struct {
		Slug         string
		PriceMonthly json.Number `json:"price_monthly"`
	}
	rawGet(t, base, "/v2/sizes", "sizes", &sizes)
	price := map[string]string{}
	for _, z := range sizes {
		price[z.Slug] = z.PriceMonthly.String()
	}
	for _, d := range droplets {
		if d.Status == "off" {
			rows = append(rows, wasteRow{"droplet", strconv.Itoa(d.ID), d.Name, d.Region.Slug, d.SizeSlug, cents(price[d.SizeSlug], "1")})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.cents != b.cents {
			return a.cents > b.cents
		}
		return a.name < b.name
	})
	var total int64
	for _, r := range rows {
		total += r.cents
	}
	return append(rows, wasteRow{"total", "", fmt.Sprintf("%d resources", len(rows)), "", "", total})
}

// TestAuditWasteRecomputed: waste.iql on the sandbox lists exactly what the
// emulator's raw JSON says is unused, with the same costs and total, for
// the default age and another one.
func TestAuditWasteRecomputed(t *testing.T) {
	// The sandbox's registry: the embedded one and APIQL_REGISTRY's folders.
	reg, err := registry.Load(filepath.SplitList(os.Getenv("APIQL_REGISTRY"))...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emulator.New(emulator.Options{Images: 60, Token: "sandbox", Registry: reg}))
	t.Cleanup(srv.Close)
	for _, days := range []string{"", "1000"} {
		t.Run("days="+days, func(t *testing.T) {
			args := []string{"exec", "--sandbox", "-o", "csv", "--null", "", "-i", filepath.Join(auditDir, "waste.iql")}
			d := 90.0
			if days != "" {
				args = append(args, "--var", "days="+days)
				d, _ = strconv.ParseFloat(days, 64)
			}
			code, stdout, stderr := auditRun(t, args...)
			if code != 0 {
				t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
			}
			want := wasteExpected(t, srv.URL, d, time.Now().UTC())
			recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
			if err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if len(recs) == 0 || strings.Join(recs[0], ",") != "kind,id,name,region,size,monthly_cost" {
				t.Fatalf("unexpected header:\n%s", stdout)
			}
			got := recs[1:]
			if len(got) != len(want) {
				t.Errorf("got %d rows, want %d\n%s", len(got), len(want), stdout)
			}
			kinds := map[string]int{}
			for i := 0; i < len(got) && i < len(want); i++ {
				w := want[i]
				c, err := strconv.ParseFloat(got[i][5], 64)
				gotCents := int64(c*100 + 0.5)
				if err != nil || got[i][0] != w.kind || got[i][1] != w.id || got[i][2] != w.name ||
					got[i][3] != w.region || got[i][4] != w.size || gotCents != w.cents {
					t.Errorf("row %d: got %v, want %+v", i+1, got[i], w)
				}
				kinds[w.kind]++
			}
			// The sandbox has something of every kind to find.
			if days == "" {
				for _, k := range []string{"volume", "reserved_ip", "snapshot", "load_balancer", "firewall", "droplet"} {
					if kinds[k] == 0 {
						t.Errorf("no unused %s found", k)
					}
				}
			}
		})
	}
}

// TestAuditInventoryCoversEverything: inventory.iql lists every Droplet,
// volume, reserved IP, load balancer, snapshot and firewall of the sandbox
// once, each with the project whose resources list its URN (from the raw
// project resources), and its costs add up to the per-project totals.
func TestAuditInventoryCoversEverything(t *testing.T) {
	reg, err := registry.Load(filepath.SplitList(os.Getenv("APIQL_REGISTRY"))...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emulator.New(emulator.Options{Images: 60, Token: "sandbox", Registry: reg}))
	t.Cleanup(srv.Close)
	code, stdout, stderr := auditRun(t, "exec", "--sandbox", "-o", "csv", "--null", "", "-i", filepath.Join(auditDir, "inventory.iql"))
	if code != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
	}
	parts := strings.SplitN(stdout, "\n\n", 2)
	if len(parts) != 2 {
		t.Fatalf("want two tables:\n%s", stdout)
	}
	rows, err := csv.NewReader(strings.NewReader(parts[0])).ReadAll()
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != "kind,id,name,project,region,monthly_cost" {
		t.Fatalf("%v\n%s", err, parts[0])
	}

	// What the account holds, by kind and id, and where the projects put it.
	want := map[string]string{} // kind/id -> project name ("" for none)
	var projects []struct{ ID, Name string }
	rawGet(t, srv.URL, "/v2/projects", "projects", &projects)
	project := map[string]string{} // urn -> project name
	for _, p := range projects {
		var res []struct{ URN string }
		rawGet(t, srv.URL, "/v2/projects/"+p.ID+"/resources", "resources", &res)
		for _, r := range res {
			project[r.URN] = p.Name
		}
	}
	var droplets []struct{ ID int }
	rawGet(t, srv.URL, "/v2/droplets", "droplets", &droplets)
	for _, d := range droplets {
		want["droplet/"+strconv.Itoa(d.ID)] = project["do:droplet:"+strconv.Itoa(d.ID)]
	}
	var volumes []struct{ ID string }
	rawGet(t, srv.URL, "/v2/volumes", "volumes", &volumes)
	for _, v := range volumes {
		want["volume/"+v.ID] = project["do:volume:"+v.ID]
	}
	var ips []struct{ IP string }
	rawGet(t, srv.URL, "/v2/reserved_ips", "reserved_ips", &ips)
	for _, r := range ips {
		want["reserved_ip/"+r.IP] = project["do:floatingip:"+r.IP]
	}
	var lbs []struct{ ID string }
	rawGet(t, srv.URL, "/v2/load_balancers", "load_balancers", &lbs)
	for _, l := range lbs {
		want["load_balancer/"+l.ID] = project["do:loadbalancer:"+l.ID]
	}
	var snaps, fws []struct{ ID string }
	rawGet(t, srv.URL, "/v2/snapshots", "snapshots", &snaps)
	for _, s := range snaps {
		want["snapshot/"+s.ID] = ""
	}
	rawGet(t, srv.URL, "/v2/firewalls", "firewalls", &fws)
	for _, f := range fws {
		want["firewall/"+f.ID] = ""
	}

	seen := map[string]bool{}
	perProject := map[string]float64{}
	// How many resources each project holds, from the raw data.
	count := map[string]int{}
	for _, p := range want {
		if p == "" {
			p = "(no project)"
		}
		count[p]++
	}
	for _, r := range rows[1:] {
		key := r[0] + "/" + r[1]
		if seen[key] {
			t.Errorf("%s listed twice", key)
		}
		seen[key] = true
		p, ok := want[key]
		if !ok {
			t.Errorf("%s is not in the account", key)
			continue
		}
		if r[3] != p {
			t.Errorf("%s: project %q, want %q", key, r[3], p)
		}
		c, _ := strconv.ParseFloat(r[5], 64)
		name := r[3]
		if name == "" {
			name = "(no project)"
		}
		perProject[name] += c
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("%s is missing", key)
		}
	}
	totals, err := csv.NewReader(strings.NewReader(parts[1])).ReadAll()
	if err != nil || len(totals) < 3 {
		t.Fatalf("%v\n%s", err, parts[1])
	}
	firewalls := 0
	for key := range want {
		if strings.HasPrefix(key, "firewall/") {
			firewalls++
		}
	}
	for _, r := range totals[1:] {
		got, _ := strconv.ParseFloat(r[2], 64)
		if diff := got - perProject[r[0]]; diff > 0.005 || diff < -0.005 {
			t.Errorf("project %s: total %s, the rows add up to %.2f", r[0], r[2], perProject[r[0]])
		}
		if n, _ := strconv.Atoi(r[1]); n != count[r[0]] {
			t.Errorf("project %s: %s resources, the account has %d", r[0], r[1], count[r[0]])
		}
		delete(count, r[0])
	}
	for p, n := range count {
		t.Errorf("project %s (%d resources) has no total", p, n)
	}
	if firewalls == 0 || len(perProject) < 3 {
		t.Errorf("the sandbox should have firewalls and two projects besides resources in none: %v", perProject)
	}
}
