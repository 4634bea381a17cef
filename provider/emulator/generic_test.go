package emulator_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

// startWith serves an emulator whose generic resources are those of the
// test registry under testdata/registry.
func startWith(t *testing.T) *client {
	t.Helper()
	reg, err := registry.LoadFS(os.DirFS("testdata/registry"), "testdata/registry")
	if err != nil {
		t.Fatal(err)
	}
	return start(t, emulator.Options{Registry: reg})
}

func decodeMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return m
}

// TestGenericResources: a resource with no hand-made handler is served from
// the registry's methods and the spec's examples: a paged list, get by id,
// create (the spec's status, required fields checked), update, delete (the
// spec's 204, then 404), nested collections under existing parents only, a
// singleton, an action answering the spec's example.
func TestGenericResources(t *testing.T) {
	c := startWith(t)

	// A collection the account seed does not make holds the spec's examples.
	r := c.do(http.MethodGet, "/v2/domains", "")
	doms, _ := decodeMap(t, r.body)["domains"].([]any)
	if r.status != http.StatusOK || len(doms) == 0 || doms[0].(map[string]any)["name"] != "example.com" {
		t.Fatalf("domains are not the spec's examples: %d %s", r.status, r.body)
	}

	// The list, paged as the API pages.
	all := decodeMap(t, c.getJSONRaw("/v2/volumes"))
	total := int(all["meta"].(map[string]any)["total"].(float64))
	if total < 3 || len(all["volumes"].([]any)) != total {
		t.Fatalf("volumes: %v", all)
	}
	r = c.do(http.MethodGet, "/v2/volumes?per_page=1", "")
	if r.status != http.StatusOK {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	list := decodeMap(t, r.body)
	vols, _ := list["volumes"].([]any)
	if len(vols) != 1 || list["meta"].(map[string]any)["total"] != float64(total) ||
		!strings.Contains(string(r.body), `"next":"`+c.ts.URL+`/v2/volumes?page=2&per_page=1"`) {
		t.Fatalf("first page of one: %s", r.body)
	}
	first := vols[0].(map[string]any)
	id := first["id"].(string)
	name := first["name"].(string)
	region := first["region"].(map[string]any)["slug"].(string)

	// Get by id, and a 404 with the spec's error body.
	got := decodeMap(t, c.getJSONRaw("/v2/volumes/"+id))
	if got["volume"].(map[string]any)["name"] != name {
		t.Errorf("get: %v", got)
	}
	requireError(t, c.do(http.MethodGet, "/v2/volumes/nope", ""), 404, "not_found", "The resource you requested could not be found.")

	// Filters naming a field; an object field (region) is matched by its slug.
	for q, want := range map[string]int{"name=" + name: 1, "name=other": 0, "region=" + region + "&name=" + name: 1, "region=nowhere": 0} {
		r = c.do(http.MethodGet, "/v2/volumes?"+q, "")
		if m := decodeMap(t, r.body); len(m["volumes"].([]any)) != want {
			t.Errorf("?%s: %s", q, r.body)
		}
	}

	// Create: required fields first, then 201 (the spec's status) with a new id.
	requireError(t, c.do(http.MethodPost, "/v2/volumes", `{"name":"x"}`), 422, "unprocessable_entity", "")
	requireError(t, c.do(http.MethodPost, "/v2/volumes", `[`), 400, "bad_request", "")
	r = c.do(http.MethodPost, "/v2/volumes", `{"name":"data-1","size_gigabytes":100,"unknown":1}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	created := decodeMap(t, r.body)["volume"].(map[string]any)
	newID, _ := created["id"].(string)
	if newID == "" || newID == id || created["name"] != "data-1" || created["size_gigabytes"] != float64(100) || created["unknown"] != nil {
		t.Errorf("created %v", created)
	}
	if m := decodeMap(t, c.getJSONRaw("/v2/volumes")); m["meta"].(map[string]any)["total"] != float64(total+1) {
		t.Errorf("after create the list holds %v", m["meta"])
	}

	// Delete: the spec's 204, then the item is gone.
	if r := c.do(http.MethodDelete, "/v2/volumes/"+newID, ""); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	requireError(t, c.do(http.MethodGet, "/v2/volumes/"+newID, ""), 404, "not_found", "")
	requireError(t, c.do(http.MethodDelete, "/v2/volumes/"+newID, ""), 404, "not_found", "")

	// An action on an existing volume answers the spec's example and status;
	// on a missing one, 404.
	r = c.do(http.MethodPost, "/v2/volumes/"+id+"/actions", `{"type":"attach"}`)
	if r.status != http.StatusAccepted || decodeMap(t, r.body)["action"] == nil {
		t.Errorf("action: %d %s", r.status, r.body)
	}
	requireError(t, c.do(http.MethodPost, "/v2/volumes/nope/actions", `{"type":"attach"}`), 404, "not_found", "")

	// Nested: records of an existing domain; an unknown domain is 404.
	r = c.do(http.MethodGet, "/v2/domains/example.com/records?type=NS", "")
	recs, _ := decodeMap(t, r.body)["domain_records"].([]any)
	if r.status != http.StatusOK || len(recs) == 0 {
		t.Fatalf("records: %d %s", r.status, r.body)
	}
	for _, rec := range recs {
		if rec.(map[string]any)["type"] != "NS" {
			t.Errorf("type=NS lists %v", rec)
		}
	}
	requireError(t, c.do(http.MethodGet, "/v2/domains/nope.example/records", ""), 404, "not_found", "")
	r = c.do(http.MethodPost, "/v2/domains/example.com/records", `{"type":"A","name":"www","data":"192.0.2.1"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create record: %d %s", r.status, r.body)
	}
	rec := decodeMap(t, r.body)["domain_record"].(map[string]any)
	recID := string(mustJSON(t, rec["id"]))
	r = c.do(http.MethodPatch, "/v2/domains/example.com/records/"+recID, `{"name":"www2"}`)
	if r.status != http.StatusOK || decodeMap(t, r.body)["domain_record"].(map[string]any)["name"] != "www2" {
		t.Errorf("update record: %d %s", r.status, r.body)
	}

	// A singleton is the spec's example.
	acct := decodeMap(t, c.getJSONRaw("/v2/account"))
	if acct["account"].(map[string]any)["email"] != "sammy@digitalocean.com" {
		t.Errorf("account: %v", acct)
	}

	// What the registry does not have is not served.
	requireError(t, c.do(http.MethodGet, "/v2/kubernetes/clusters", ""), 404, "not_found", "")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// getJSONRaw is a GET that must answer 200; it returns the body.
func (c *client) getJSONRaw(path string) []byte {
	c.t.Helper()
	r := c.do(http.MethodGet, path, "")
	if r.status != http.StatusOK {
		c.t.Fatalf("GET %s: status %d, want 200; body %s", path, r.status, r.body)
	}
	return r.body
}

// TestAccountVolumesMatchDroplets: the seeded volumes and the Droplets agree
// on attachments, and some volumes are attached to nothing.
func TestAccountVolumesMatchDroplets(t *testing.T) {
	c := startWith(t)
	var vols struct {
		Volumes []struct {
			ID         string `json:"id"`
			DropletIDs []int  `json:"droplet_ids"`
			Region     struct {
				Slug string `json:"slug"`
			} `json:"region"`
		} `json:"volumes"`
	}
	if err := json.Unmarshal(c.getJSONRaw("/v2/volumes?per_page=200"), &vols); err != nil {
		t.Fatal(err)
	}
	var drops struct {
		Droplets []emulator.Droplet `json:"droplets"`
	}
	if err := json.Unmarshal(c.getJSONRaw("/v2/droplets?per_page=200"), &drops); err != nil {
		t.Fatal(err)
	}
	byVolume := map[string][]int{}
	region := map[int]string{}
	for _, d := range drops.Droplets {
		region[d.ID] = d.Region.Slug
		for _, v := range d.VolumeIDs {
			byVolume[v] = append(byVolume[v], d.ID)
		}
	}
	unattached := 0
	for _, v := range vols.Volumes {
		if len(v.DropletIDs) == 0 {
			unattached++
		}
		if got := mustJSON(t, v.DropletIDs); string(got) != string(mustJSON(t, append([]int{}, byVolume[v.ID]...))) {
			t.Errorf("volume %s: droplet_ids %s, droplets listing it %v", v.ID, got, byVolume[v.ID])
		}
		for _, d := range v.DropletIDs {
			if region[d] != v.Region.Slug {
				t.Errorf("volume %s in %s is attached to droplet %d in %s", v.ID, v.Region.Slug, d, region[d])
			}
		}
	}
	if unattached < 2 || unattached == len(vols.Volumes) {
		t.Errorf("%d of %d volumes unattached; want some, not all", unattached, len(vols.Volumes))
	}
}

// TestVolumeSnapshots: a volume's snapshots are the volume snapshots of
// /v2/snapshots taken from it; one created there is listed by both.
func TestVolumeSnapshots(t *testing.T) {
	c := startWith(t)
	var all struct {
		Snapshots []emulator.Snapshot `json:"snapshots"`
	}
	if err := json.Unmarshal(c.getJSONRaw("/v2/snapshots?resource_type=volume&per_page=200"), &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Snapshots) == 0 {
		t.Fatal("no volume snapshots")
	}
	vol := all.Snapshots[0].ResourceID
	want := 0
	for _, s := range all.Snapshots {
		if s.ResourceID == vol {
			want++
		}
	}
	var mine struct {
		Snapshots []emulator.Snapshot `json:"snapshots"`
	}
	if err := json.Unmarshal(c.getJSONRaw("/v2/volumes/"+vol+"/snapshots"), &mine); err != nil {
		t.Fatal(err)
	}
	if len(mine.Snapshots) != want {
		t.Errorf("volume %s: %d snapshots, /v2/snapshots has %d", vol, len(mine.Snapshots), want)
	}
	requireError(t, c.do(http.MethodPost, "/v2/volumes/"+vol+"/snapshots", `{}`), 422, "unprocessable_entity", "name")
	requireError(t, c.do(http.MethodGet, "/v2/volumes/nope/snapshots", ""), 404, "not_found", "")
	r := c.do(http.MethodPost, "/v2/volumes/"+vol+"/snapshots", `{"name":"before-resize"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var created struct {
		Snapshot emulator.Snapshot `json:"snapshot"`
	}
	decodeStrict(t, r.body, &created)
	var one struct {
		Snapshot emulator.Snapshot `json:"snapshot"`
	}
	c.getJSON("/v2/snapshots/"+created.Snapshot.ID, &one)
	if one.Snapshot.Name != "before-resize" || one.Snapshot.ResourceID != vol || one.Snapshot.ResourceType != "volume" {
		t.Errorf("created %+v, got %+v", created.Snapshot, one.Snapshot)
	}
}
